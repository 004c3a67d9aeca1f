package dev.jbcc.spec;

/**
 * A global variable in one of the object's data sections, which become ARRAY maps with a single
 * value: set it with {@link CollectionSpec#withVariable} before loading.
 *
 * @param name     the C name
 * @param section  the data section and map name (".data", ".rodata", ".bss", ".data.foo"...)
 * @param offset   byte offset in the section
 * @param size     size in bytes
 * @param btfType  id of the variable's type in the object's BTF, 0 if the object has no BTF
 * @param readOnly true for {@code .rodata*}: the program cannot change it, but Java can before load
 */
public record VariableSpec(String name, String section, int offset, int size, int btfType, boolean readOnly) {}
