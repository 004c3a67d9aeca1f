package dev.jbcc.spec;

/**
 * A {@code bpf_func_info} record from {@code .BTF.ext}: where a function starts and its BTF type.
 *
 * @param instructionOffset the function's first slot, counted from the start of its program
 * @param typeId            id of the function's {@code BTF_KIND_FUNC} in the object's BTF
 */
public record FuncInfo(int instructionOffset, int typeId) {}
