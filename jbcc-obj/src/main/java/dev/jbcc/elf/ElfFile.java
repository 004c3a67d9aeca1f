package dev.jbcc.elf;

import dev.jbcc.errors.FormatException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A read-only ELF64 file over a {@link MemorySegment}: relocatable objects (clang's BPF output) and
 * shared libraries alike. The byte order comes from {@code e_ident[EI_DATA]}, so big-endian files
 * read correctly on a little-endian host.
 *
 * <p>Headers and the section table are checked when the file is opened; symbol tables, relocations
 * and notes are decoded on request. Every structural problem surfaces as a {@link FormatException}
 * that names the part of the file and its offset. The segment must stay alive while this object is
 * used (for {@link #map}: until the arena closes).
 */
public final class ElfFile {
    private static final byte[] MAGIC = {0x7f, 'E', 'L', 'F'};
    private static final int ELFCLASS64 = 2, ELFDATA2LSB = 1, ELFDATA2MSB = 2;
    private static final int EHDR_SIZE = 64, SHDR_SIZE = 64, PHDR_SIZE = 56, SYM_SIZE = 24, REL_SIZE = 16,
            RELA_SIZE = 24;

    // Unaligned: section offsets in hand-made or packed files need not respect natural alignment.
    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final MemorySegment data;
    private final String origin;
    private final ElfHeader header;
    private final ValueLayout.OfShort u16;
    private final ValueLayout.OfInt u32;
    private final ValueLayout.OfLong u64;
    private final List<Section> sections;
    private final Map<String, Section> sectionsByName;
    private final List<ProgramHeader> programHeaders;

    // Decoded on first use; the values are immutable, so a racing second decode is harmless.
    private volatile List<Symbol> symbols;
    private volatile List<Symbol> dynamicSymbols;
    private volatile Map<String, Symbol> dynamicSymbolsByName;

    private ElfFile(MemorySegment data, String origin) {
        this.data = data.asReadOnly();
        this.origin = origin;
        if (data.byteSize() < EHDR_SIZE) {
            throw fail("file is " + data.byteSize() + " bytes, shorter than the 64-byte ELF64 header");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (data.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) throw fail("no ELF magic at offset 0: not an ELF file");
        }
        int elfClass = data.get(ValueLayout.JAVA_BYTE, 4);
        if (elfClass != ELFCLASS64) throw fail("ELF class " + elfClass + " at offset 4: only ELF64 (2) is supported");
        int encoding = data.get(ValueLayout.JAVA_BYTE, 5);
        ByteOrder order = switch (encoding) {
            case ELFDATA2LSB -> ByteOrder.LITTLE_ENDIAN;
            case ELFDATA2MSB -> ByteOrder.BIG_ENDIAN;
            default -> throw fail("data encoding " + encoding + " at offset 5: expected 1 (LSB) or 2 (MSB)");
        };
        boolean little = order == ByteOrder.LITTLE_ENDIAN;
        this.u16 = little ? U16_LE : U16_BE;
        this.u32 = little ? U32_LE : U32_BE;
        this.u64 = little ? U64_LE : U64_BE;
        this.header = readHeader(order);
        this.sections = readSections();
        Map<String, Section> byName = new HashMap<>();
        for (Section s : sections) byName.putIfAbsent(s.name(), s);
        this.sectionsByName = Collections.unmodifiableMap(byName);
        this.programHeaders = readProgramHeaders();
    }

    /** Parses an ELF64 file held in {@code data}; the segment must outlive this object. */
    public static ElfFile of(MemorySegment data) {
        return new ElfFile(data, "ELF file");
    }

    /** Parses an ELF64 file from bytes; {@code origin} names it in error messages (e.g. a path). */
    public static ElfFile of(MemorySegment data, String origin) {
        return new ElfFile(data, origin);
    }

    /** Parses an ELF64 file from a byte array (not copied: do not modify it afterwards). */
    public static ElfFile of(byte[] bytes) {
        return new ElfFile(MemorySegment.ofArray(bytes), "ELF file");
    }

    /** Maps {@code path} read-only into {@code arena} and parses it; the file stays mapped until the arena closes. */
    public static ElfFile map(Path path, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new ElfFile(mapped, path.toString());
        }
    }

    public ElfHeader header() {
        return header;
    }

    public ByteOrder byteOrder() {
        return header.byteOrder();
    }

    /** The whole file, read-only. */
    public MemorySegment data() {
        return data;
    }

    /** All sections in index order, including the null section 0. */
    public List<Section> sections() {
        return sections;
    }

    public Section section(int index) {
        if (index < 0 || index >= sections.size()) {
            throw fail("section index " + index + " out of range: the file has " + sections.size() + " sections");
        }
        return sections.get(index);
    }

    /** The first section with this name. */
    public Optional<Section> section(String name) {
        return Optional.ofNullable(sectionsByName.get(name));
    }

    /**
     * The section's bytes as a read-only view; empty for {@code SHT_NOBITS} (whose {@code size} is
     * its memory size) and {@code SHT_NULL} (an inactive header, whose offset and size mean nothing).
     */
    public MemorySegment contents(Section section) {
        if (section.isNoBits() || section.type() == Section.SHT_NULL) return data.asSlice(0, 0);
        return data.asSlice(section.offset(), section.size());
    }

    /** Program headers (segments); empty for relocatable objects. */
    public List<ProgramHeader> programHeaders() {
        return programHeaders;
    }

    /**
     * Translates a virtual address to a file offset through the {@code PT_LOAD} segment that
     * contains it; empty if no loadable segment maps the address to file bytes.
     */
    public OptionalLong fileOffsetOf(long virtualAddress) {
        for (ProgramHeader ph : programHeaders) {
            if (ph.type() == ProgramHeader.PT_LOAD && ph.containsInFile(virtualAddress)) {
                return OptionalLong.of(ph.offset() + (virtualAddress - ph.virtualAddress()));
            }
        }
        return OptionalLong.empty();
    }

    /** The static symbol table ({@code .symtab}, type SHT_SYMTAB); empty if the file is stripped. */
    public List<Symbol> symbols() {
        List<Symbol> result = symbols;
        if (result == null) symbols = result = readSymbolTable(Section.SHT_SYMTAB);
        return result;
    }

    /** The dynamic symbol table ({@code .dynsym}, type SHT_DYNSYM); empty for relocatable objects. */
    public List<Symbol> dynamicSymbols() {
        List<Symbol> result = dynamicSymbols;
        if (result == null) dynamicSymbols = result = readSymbolTable(Section.SHT_DYNSYM);
        return result;
    }

    /** A dynamic symbol by name; the first definition wins over undefined references of the same name. */
    public Optional<Symbol> dynamicSymbol(String name) {
        Map<String, Symbol> byName = dynamicSymbolsByName;
        if (byName == null) {
            Map<String, Symbol> map = new HashMap<>();
            for (Symbol s : dynamicSymbols()) {
                Symbol old = map.get(s.name());
                if (old == null || (old.isUndefined() && !s.isUndefined())) map.put(s.name(), s);
            }
            dynamicSymbolsByName = byName = Collections.unmodifiableMap(map);
        }
        return Optional.ofNullable(byName.get(name));
    }

    /** The symbols of a symbol table section (SHT_SYMTAB or SHT_DYNSYM). */
    public List<Symbol> symbols(Section table) {
        if (table.type() != Section.SHT_SYMTAB && table.type() != Section.SHT_DYNSYM) {
            throw fail(table + " has type " + table.type() + ", not a symbol table");
        }
        if (table.entrySize() != SYM_SIZE) {
            throw fail(table + " has entry size " + table.entrySize() + ", expected " + SYM_SIZE);
        }
        Section strings = linkedStringTable(table);
        MemorySegment bytes = contents(table);
        MemorySegment names = contents(strings);
        int count = Math.toIntExact(table.size() / SYM_SIZE);
        List<Symbol> result = new ArrayList<>(count);
        long at = 0;
        try {
            for (int i = 0; i < count; i++, at += SYM_SIZE) {
                int nameOffset = bytes.get(u32, at);
                int info = bytes.get(ValueLayout.JAVA_BYTE, at + 4) & 0xff;
                int other = bytes.get(ValueLayout.JAVA_BYTE, at + 5) & 0xff;
                int shndx = bytes.get(u16, at + 6) & 0xffff;
                long value = bytes.get(u64, at + 8);
                long size = bytes.get(u64, at + 16);
                result.add(new Symbol(i, string(names, nameOffset, strings), value, size,
                        Symbol.Binding.of(info >>> 4), Symbol.Type.of(info & 0xf),
                        Symbol.Visibility.of(other), shndx));
            }
        } catch (IndexOutOfBoundsException e) {
            throw fail("symbol at offset " + at + " of " + table + " runs past the table", e);
        }
        return List.copyOf(result);
    }

    /** The relocations of a SHT_REL or SHT_RELA section, in file order. */
    public List<Relocation> relocations(Section relocationSection) {
        boolean rela = relocationSection.type() == Section.SHT_RELA;
        if (!rela && relocationSection.type() != Section.SHT_REL) {
            throw fail(relocationSection + " has type " + relocationSection.type() + ", not REL (9) or RELA (4)");
        }
        int entry = rela ? RELA_SIZE : REL_SIZE;
        if (relocationSection.size() % entry != 0) {
            throw fail(relocationSection + " is " + relocationSection.size() + " bytes, not a multiple of the "
                    + entry + "-byte entry");
        }
        MemorySegment bytes = contents(relocationSection);
        int count = Math.toIntExact(relocationSection.size() / entry);
        List<Relocation> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long at = (long) i * entry;
            long offset = bytes.get(u64, at);
            long info = bytes.get(u64, at + 8);
            long addend = rela ? bytes.get(u64, at + 16) : 0;
            result.add(new Relocation(offset, (int) (info >>> 32), (int) info, addend, rela));
        }
        return List.copyOf(result);
    }

    /** The symbol table a relocation section refers to ({@code sh_link}). */
    public List<Symbol> symbolsOf(Section relocationSection) {
        Section table = section(relocationSection.link());
        if (table.type() == Section.SHT_SYMTAB) return symbols();
        if (table.type() == Section.SHT_DYNSYM) return dynamicSymbols();
        throw fail(relocationSection + " links to " + table + ", which is not a symbol table");
    }

    /** All notes in all SHT_NOTE sections, in file order. */
    public List<Note> notes() {
        List<Note> result = new ArrayList<>();
        for (Section s : sections) {
            if (s.type() == Section.SHT_NOTE) result.addAll(notes(s));
        }
        return List.copyOf(result);
    }

    /** The notes of one SHT_NOTE section. */
    public List<Note> notes(Section noteSection) {
        if (noteSection.type() != Section.SHT_NOTE) {
            throw fail(noteSection + " has type " + noteSection.type() + ", not SHT_NOTE (7)");
        }
        // Name and descriptor are padded to 4 bytes, except in sections aligned to 8 (.note.gnu.property).
        long align = noteSection.alignment() == 8 ? 8 : 4;
        MemorySegment bytes = contents(noteSection);
        List<Note> result = new ArrayList<>();
        long at = 0;
        while (at + 12 <= bytes.byteSize()) {
            long nameSize = bytes.get(u32, at) & 0xffffffffL;
            long descSize = bytes.get(u32, at + 4) & 0xffffffffL;
            int type = bytes.get(u32, at + 8);
            long nameAt = at + 12;
            long descAt = alignUp(nameAt + nameSize, align);
            long end = alignUp(descAt + descSize, align);
            if (descAt + descSize > bytes.byteSize()) {
                throw fail("note at offset " + at + " of " + noteSection + " declares name size " + nameSize
                        + " and descriptor size " + descSize + ", past the section's " + bytes.byteSize() + " bytes");
            }
            // The name size counts the NUL terminator.
            long nameLength = nameSize > 0 && bytes.get(ValueLayout.JAVA_BYTE, nameAt + nameSize - 1) == 0
                    ? nameSize - 1 : nameSize;
            String owner = new String(bytes.asSlice(nameAt, nameLength).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.UTF_8);
            result.add(new Note(owner, type, bytes.asSlice(descAt, descSize), noteSection.index(), at));
            at = end;
        }
        return List.copyOf(result);
    }

    /** A NUL-terminated string at {@code offset} in a string table section. */
    public String string(Section stringTable, long offset) {
        return string(contents(stringTable), offset, stringTable);
    }

    /** Reads an unsigned 16-bit value in the file's byte order. */
    public int u16(MemorySegment segment, long offset) {
        return segment.get(u16, offset) & 0xffff;
    }

    /** Reads a 32-bit value in the file's byte order. */
    public int u32(MemorySegment segment, long offset) {
        return segment.get(u32, offset);
    }

    /** Reads a 64-bit value in the file's byte order. */
    public long u64(MemorySegment segment, long offset) {
        return segment.get(u64, offset);
    }

    /** Builds a FormatException naming this file. */
    public FormatException fail(String what) {
        return new FormatException(origin + ": " + what);
    }

    public FormatException fail(String what, Throwable cause) {
        return new FormatException(origin + ": " + what, cause);
    }

    @Override
    public String toString() {
        return "ElfFile[" + origin + ", " + sections.size() + " sections]";
    }

    private ElfHeader readHeader(ByteOrder order) {
        int osAbi = data.get(ValueLayout.JAVA_BYTE, 7) & 0xff;
        int type = data.get(u16, 16) & 0xffff;
        int machine = data.get(u16, 18) & 0xffff;
        long entry = data.get(u64, 24);
        long phoff = data.get(u64, 32);
        long shoff = data.get(u64, 40);
        int flags = data.get(u32, 48);
        int phentsize = data.get(u16, 54) & 0xffff;
        int phnum = data.get(u16, 56) & 0xffff;
        int shentsize = data.get(u16, 58) & 0xffff;
        int shnum = data.get(u16, 60) & 0xffff;
        int shstrndx = data.get(u16, 62) & 0xffff;
        if (shoff != 0 && shentsize != SHDR_SIZE) {
            throw fail("section header entry size " + shentsize + " at offset 58: expected " + SHDR_SIZE);
        }
        if (phnum != 0 && phentsize != PHDR_SIZE) {
            throw fail("program header entry size " + phentsize + " at offset 54: expected " + PHDR_SIZE);
        }
        checkRange("section header table", shoff, shoff == 0 ? 0 : Math.max(1, shnum) * (long) SHDR_SIZE);
        // Extended numbering: the real counts live in section 0 when they do not fit in 16 bits.
        if (shoff != 0 && shnum == 0) {
            long extended = data.get(u64, shoff + 32);
            if (extended < 0 || extended > data.byteSize() / SHDR_SIZE) {
                throw fail("section count " + Long.toUnsignedString(extended) + " in section 0's size (header at offset "
                        + shoff + ") does not fit in the " + data.byteSize() + "-byte file");
            }
            shnum = (int) extended;
        }
        if (shoff != 0 && shstrndx == Symbol.SHN_XINDEX) {
            shstrndx = data.get(u32, shoff + 40);
        }
        if (phnum == 0xffff && shoff != 0) {
            phnum = data.get(u32, shoff + 44);
        }
        checkRange("section header table", shoff, (long) shnum * SHDR_SIZE);
        checkRange("program header table", phoff, (long) phnum * PHDR_SIZE);
        if (shnum > 0 && (shstrndx < 0 || shstrndx >= shnum)) {
            throw fail("section name table index " + shstrndx + " at offset 62 is outside the " + shnum + " sections");
        }
        return new ElfHeader(order, osAbi, type, machine, entry, phoff, shoff, flags, phnum, shnum, shstrndx);
    }

    private List<Section> readSections() {
        int count = header.sectionCount();
        if (count == 0) return List.of();
        long base = header.sectionHeaderOffset();
        for (int i = 0; i < count; i++) {
            long at = base + (long) i * SHDR_SIZE;
            int type = data.get(u32, at + 4);
            long offset = data.get(u64, at + 24);
            long size = data.get(u64, at + 32);
            if (type != Section.SHT_NOBITS && type != Section.SHT_NULL) {
                checkRange("section " + i + " (header at offset " + at + ")", offset, size);
            }
        }
        // Index 0 (SHN_UNDEF) means the file has no section names; any other must be a string table,
        // which the loop above has checked lies inside the file.
        Section names = rawSection(base, header.sectionNamesIndex(), "");
        if (names.index() != 0 && names.type() != Section.SHT_STRTAB) {
            throw fail("section name table " + names.index() + " (header at offset " + (base + (long) names.index() * SHDR_SIZE)
                    + ") has type " + names.type() + ", not a string table (3)");
        }
        MemorySegment nameBytes = names.index() == 0 ? data.asSlice(0, 0) : data.asSlice(names.offset(), names.size());
        List<Section> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long at = base + (long) i * SHDR_SIZE;
            int nameOffset = data.get(u32, at);
            String name = i == 0 ? "" : string(nameBytes, nameOffset, names);
            result.add(rawSection(base, i, name));
        }
        return List.copyOf(result);
    }

    private Section rawSection(long base, int index, String name) {
        long at = base + (long) index * SHDR_SIZE;
        return new Section(index, name, data.get(u32, at + 4), data.get(u64, at + 8), data.get(u64, at + 16),
                data.get(u64, at + 24), data.get(u64, at + 32), data.get(u32, at + 40), data.get(u32, at + 44),
                data.get(u64, at + 48), data.get(u64, at + 56));
    }

    private List<ProgramHeader> readProgramHeaders() {
        int count = header.programHeaderCount();
        List<ProgramHeader> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long at = header.programHeaderOffset() + (long) i * PHDR_SIZE;
            result.add(new ProgramHeader(data.get(u32, at), data.get(u32, at + 4), data.get(u64, at + 8),
                    data.get(u64, at + 16), data.get(u64, at + 24), data.get(u64, at + 32), data.get(u64, at + 40),
                    data.get(u64, at + 48)));
        }
        return List.copyOf(result);
    }

    private List<Symbol> readSymbolTable(int type) {
        for (Section s : sections) {
            if (s.type() == type) return symbols(s);
        }
        return List.of();
    }

    private Section linkedStringTable(Section table) {
        if (table.link() <= 0 || table.link() >= sections.size()) {
            throw fail(table + " links to string table " + table.link() + ", which does not exist");
        }
        Section strings = sections.get(table.link());
        if (strings.type() != Section.SHT_STRTAB) {
            throw fail(table + " links to " + strings + ", which is not a string table");
        }
        return strings;
    }

    private String string(MemorySegment table, long offset, Section where) {
        long start = offset & 0xffffffffL;
        long size = table.byteSize();
        if (start >= size) {
            if (start == 0) return "";
            throw fail("string offset " + start + " is outside " + where + " (" + size + " bytes)");
        }
        // Scan for the terminator ourselves so a missing NUL becomes a FormatException, not an IOOBE.
        long end = start;
        while (end < size && table.get(ValueLayout.JAVA_BYTE, end) != 0) end++;
        if (end == size) throw fail("string at offset " + start + " of " + where + " has no NUL terminator");
        if (end == start) return "";
        return new String(table.asSlice(start, end - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private void checkRange(String what, long offset, long size) {
        long fileSize = data.byteSize();
        if (offset < 0 || size < 0 || offset > fileSize || size > fileSize - offset) {
            throw fail(what + " at offset " + offset + " with size " + size + " extends past the end of the file ("
                    + fileSize + " bytes)");
        }
    }

    private static long alignUp(long value, long align) {
        return (value + align - 1) & -align;
    }
}
