package dev.jbcc.elf;

import java.nio.ByteOrder;

/**
 * The ELF64 file header ({@code Elf64_Ehdr}), with the section and program header counts already
 * resolved through the extended-numbering escape values.
 *
 * @param byteOrder          from {@code e_ident[EI_DATA]}; every other multi-byte field is read in it
 * @param osAbi              {@code e_ident[EI_OSABI]}
 * @param type               {@code e_type}: {@link #ET_REL}, {@link #ET_EXEC}, {@link #ET_DYN}, ...
 * @param machine            {@code e_machine}: {@link #EM_BPF}, {@link #EM_X86_64}, ...
 * @param entry              {@code e_entry}
 * @param programHeaderOffset {@code e_phoff}
 * @param sectionHeaderOffset {@code e_shoff}
 * @param flags              {@code e_flags}
 * @param programHeaderCount the number of program headers
 * @param sectionCount       the number of section headers (including the null section 0)
 * @param sectionNamesIndex  index of the section holding section names
 */
public record ElfHeader(ByteOrder byteOrder, int osAbi, int type, int machine, long entry,
                        long programHeaderOffset, long sectionHeaderOffset, int flags,
                        int programHeaderCount, int sectionCount, int sectionNamesIndex) {
    public static final int ET_NONE = 0, ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
    public static final int EM_X86_64 = 62, EM_AARCH64 = 183, EM_BPF = 247;

    /** True for a relocatable object, such as clang's {@code -c} output. */
    public boolean isRelocatable() {
        return type == ET_REL;
    }
}
