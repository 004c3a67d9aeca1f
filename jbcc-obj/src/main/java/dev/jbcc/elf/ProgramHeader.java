package dev.jbcc.elf;

/**
 * One program header ({@code Elf64_Phdr}): a segment of a loadable image.
 *
 * @param type           {@code p_type}: {@link #PT_LOAD}, {@link #PT_NOTE}, ...
 * @param flags          {@code p_flags}: {@link #PF_X}, {@link #PF_W}, {@link #PF_R}
 * @param offset         {@code p_offset}: where the segment starts in the file
 * @param virtualAddress {@code p_vaddr}
 * @param physicalAddress {@code p_paddr}
 * @param fileSize       {@code p_filesz}
 * @param memorySize     {@code p_memsz}
 * @param alignment      {@code p_align}
 */
public record ProgramHeader(int type, int flags, long offset, long virtualAddress, long physicalAddress,
                            long fileSize, long memorySize, long alignment) {
    public static final int PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_PHDR = 6;
    public static final int PF_X = 1, PF_W = 2, PF_R = 4;

    /** True if {@code address} falls in the part of this segment that is backed by file bytes. */
    public boolean containsInFile(long address) {
        return Long.compareUnsigned(address, virtualAddress) >= 0
                && Long.compareUnsigned(address - virtualAddress, fileSize) < 0;
    }
}
