package dev.jbcc.elf;

import java.lang.foreign.MemorySegment;

/**
 * One ELF note ({@code Elf64_Nhdr} + name + descriptor), e.g. a USDT probe in {@code .note.stapsdt}
 * (owner "stapsdt", type 3) or the GNU build id (owner "GNU", type 3).
 *
 * @param owner      the note's name field without its NUL terminator
 * @param type       {@code n_type}, meaningful per owner
 * @param descriptor the descriptor bytes, a read-only view into the file; multi-byte values in it use the file's byte order
 * @param section    index of the section the note came from
 * @param offset     the note header's offset within that section
 */
public record Note(String owner, int type, MemorySegment descriptor, int section, long offset) {
    /** Owner and type of a SystemTap/USDT probe note. */
    public static final String STAPSDT_OWNER = "stapsdt";
    public static final int STAPSDT_TYPE = 3;
}
