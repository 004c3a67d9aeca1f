package dev.jbcc.elf;

/**
 * One section header ({@code Elf64_Shdr}) with its resolved name. Read the bytes with
 * {@link ElfFile#contents(Section)}.
 *
 * @param index     the section's index in the section header table
 * @param name      the name from the section-name string table
 * @param type      {@code sh_type}: {@link #SHT_PROGBITS}, {@link #SHT_NOBITS}, ...
 * @param flags     {@code sh_flags}: {@link #SHF_WRITE}, {@link #SHF_ALLOC}, {@link #SHF_EXECINSTR}
 * @param address   {@code sh_addr}: the virtual address in a loaded image (0 in relocatable objects)
 * @param offset    {@code sh_offset}: where the bytes are in the file
 * @param size      {@code sh_size}: bytes in the file, or in memory for {@code SHT_NOBITS}
 * @param link      {@code sh_link}: e.g. the string table of a symbol table, the symbol table of a relocation section
 * @param info      {@code sh_info}: e.g. the section a relocation section applies to
 * @param alignment {@code sh_addralign}
 * @param entrySize {@code sh_entsize} for tables
 */
public record Section(int index, String name, int type, long flags, long address, long offset, long size,
                      int link, int info, long alignment, long entrySize) {
    public static final int SHT_NULL = 0, SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4,
            SHT_HASH = 5, SHT_DYNAMIC = 6, SHT_NOTE = 7, SHT_NOBITS = 8, SHT_REL = 9, SHT_DYNSYM = 11;
    public static final long SHF_WRITE = 0x1, SHF_ALLOC = 0x2, SHF_EXECINSTR = 0x4;

    public boolean isExecutable() {
        return (flags & SHF_EXECINSTR) != 0;
    }

    public boolean isWritable() {
        return (flags & SHF_WRITE) != 0;
    }

    public boolean isAllocated() {
        return (flags & SHF_ALLOC) != 0;
    }

    /** True if the section occupies no bytes in the file (.bss). */
    public boolean isNoBits() {
        return type == SHT_NOBITS;
    }

    @Override
    public String toString() {
        return "section " + index + " (" + name + ")";
    }
}
