package dev.jbcc.elf;

/**
 * One relocation entry ({@code Elf64_Rel} or {@code Elf64_Rela}).
 *
 * @param offset      {@code r_offset}: the byte offset in the target section (relocatable objects) or a virtual address
 * @param symbolIndex {@code ELF64_R_SYM(r_info)}: index into the relocation section's linked symbol table
 * @param type        {@code ELF64_R_TYPE(r_info)}: machine-specific, e.g. {@link #R_BPF_64_64}
 * @param addend      {@code r_addend} for RELA; 0 for REL, whose addend sits in the relocated bytes
 * @param hasAddend   true if this came from a RELA section
 */
public record Relocation(long offset, int symbolIndex, int type, long addend, boolean hasAddend) {
    /** BPF relocation types (llvm's BPF backend, documented in the kernel's llvm_reloc.rst). */
    public static final int R_BPF_NONE = 0, R_BPF_64_64 = 1, R_BPF_64_ABS64 = 2, R_BPF_64_ABS32 = 3,
            R_BPF_64_NODYLD32 = 4, R_BPF_64_32 = 10;
}
