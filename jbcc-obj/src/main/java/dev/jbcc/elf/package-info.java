/**
 * A read-only ELF64 reader over a {@link java.lang.foreign.MemorySegment}: {@link dev.jbcc.elf.ElfFile}
 * gives the header, sections, symbols ({@code .symtab}, {@code .dynsym}), REL/RELA relocations,
 * notes and program headers of relocatable objects and shared libraries, in either byte order.
 * Malformed files raise {@link dev.jbcc.errors.FormatException} naming the part and offset.
 */
package dev.jbcc.elf;
