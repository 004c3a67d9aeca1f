package dev.jbcc.elf;

import dev.jbcc.errors.FormatException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ElfFileTest {
    static final String SOURCE = """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            char LICENSE[] SEC("license") = "GPL";
            struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, int); __type(value, long); } counts SEC(".maps");
            extern int LINUX_KERNEL_VERSION __kconfig;
            static __attribute__((noinline)) int helper(int x) { return x + 1; }
            SEC("xdp") int count_packets(struct xdp_md *ctx) {
                int k = 0;
                long *v = bpf_map_lookup_elem(&counts, &k);
                if (v) *v += helper(k) + LINUX_KERNEL_VERSION;
                return XDP_PASS;
            }
            """;

    static final Path LIBJVM = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib/server/libjvm.so");

    @Test
    void readsClangBpfObject() {
        ElfFile elf = ElfFile.of(ClangBpf.compile(SOURCE));
        assertEquals(ByteOrder.LITTLE_ENDIAN, elf.byteOrder());
        assertEquals(ElfHeader.EM_BPF, elf.header().machine());
        assertTrue(elf.header().isRelocatable());
        assertTrue(elf.programHeaders().isEmpty());

        Section xdp = elf.section("xdp").orElseThrow();
        assertTrue(xdp.isExecutable());
        assertEquals(Section.SHT_PROGBITS, xdp.type());
        assertSame(xdp, elf.section(xdp.index()));
        Section license = elf.section("license").orElseThrow();
        assertEquals("GPL\0", new String(elf.contents(license).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));

        Symbol prog = symbol(elf, "count_packets");
        assertEquals(Symbol.Type.FUNC, prog.type());
        assertEquals(Symbol.Binding.GLOBAL, prog.binding());
        assertEquals(Symbol.Visibility.DEFAULT, prog.visibility());
        assertEquals(xdp.index(), prog.sectionIndex());
        assertEquals(xdp.size(), prog.size(), "the only function in its section spans it");

        Symbol helper = symbol(elf, "helper");
        assertEquals(Symbol.Binding.LOCAL, helper.binding());
        assertEquals(".text", elf.section(helper.sectionIndex()).name());

        Symbol kconfig = symbol(elf, "LINUX_KERNEL_VERSION");
        assertTrue(kconfig.isUndefined());

        Symbol counts = symbol(elf, "counts");
        assertEquals(Symbol.Type.OBJECT, counts.type());
        assertEquals(".maps", elf.section(counts.sectionIndex()).name());

        Section rel = elf.section(".relxdp").orElseThrow();
        assertEquals(Section.SHT_REL, rel.type());
        assertEquals(xdp.index(), rel.info());
        List<Relocation> relocations = elf.relocations(rel);
        List<Symbol> symbols = elf.symbolsOf(rel);
        MemorySegment code = elf.contents(xdp);
        Relocation mapReloc = relocations.stream()
                .filter(r -> symbols.get(r.symbolIndex()).name().equals("counts")).findFirst().orElseThrow();
        assertEquals(Relocation.R_BPF_64_64, mapReloc.type());
        assertFalse(mapReloc.hasAddend());
        assertEquals(0x18, code.get(ValueLayout.JAVA_BYTE, mapReloc.offset()) & 0xff, "relocated insn is ld_imm64");
        Relocation callReloc = relocations.stream()
                .filter(r -> r.type() == Relocation.R_BPF_64_32).findFirst().orElseThrow();
        assertEquals(0x85, code.get(ValueLayout.JAVA_BYTE, callReloc.offset()) & 0xff, "relocated insn is a call");
        assertTrue(relocations.stream().anyMatch(r -> symbols.get(r.symbolIndex()) == kconfig));
    }

    @Test
    void readsBigEndianObject() {
        byte[] little = ClangBpf.compile(SOURCE);
        byte[] big = ClangBpf.compileFor("bpfeb", SOURCE);
        ElfFile le = ElfFile.of(little);
        ElfFile be = ElfFile.of(big);
        assertEquals(ByteOrder.BIG_ENDIAN, be.byteOrder());
        assertEquals(ElfHeader.EM_BPF, be.header().machine());
        assertEquals(le.sections().stream().map(Section::name).toList(),
                be.sections().stream().map(Section::name).toList());
        assertEquals(symbol(le, "count_packets").size(), symbol(be, "count_packets").size());
        assertEquals(symbol(le, "counts").value(), symbol(be, "counts").value());
        Section beRel = be.section(".relxdp").orElseThrow();
        Section leRel = le.section(".relxdp").orElseThrow();
        assertEquals(le.relocations(leRel), be.relocations(beRel));
    }

    @Test
    void readsSharedLibraryDynamicSymbolsAndStapsdtNotes() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            ElfFile jvm = ElfFile.map(LIBJVM, arena);
            assertEquals(ElfHeader.ET_DYN, jvm.header().type());
            assertEquals(ElfHeader.EM_X86_64, jvm.header().machine());
            assertFalse(jvm.programHeaders().isEmpty());

            Symbol create = jvm.dynamicSymbol("JNI_CreateJavaVM").orElseThrow();
            assertEquals(Symbol.Type.FUNC, create.type());
            assertEquals(Symbol.Binding.GLOBAL, create.binding());
            assertFalse(create.isUndefined());
            Section text = jvm.section(".text").orElseThrow();
            assertEquals(text.index(), create.sectionIndex());
            long fileOffset = jvm.fileOffsetOf(create.value()).orElseThrow();
            assertTrue(fileOffset >= text.offset() && fileOffset < text.offset() + text.size(),
                    "JNI_CreateJavaVM's file offset lies in .text");
            // In .text, address and file offset differ by the same delta as the section's own.
            assertEquals(create.value() - text.address(), fileOffset - text.offset());

            Section stapsdt = jvm.section(".note.stapsdt").orElseThrow();
            List<Note> notes = jvm.notes(stapsdt);
            assertTrue(notes.size() >= 300, "libjvm has hundreds of USDT probes, found " + notes.size());
            for (Note n : notes) {
                assertEquals(Note.STAPSDT_OWNER, n.owner());
                assertEquals(Note.STAPSDT_TYPE, n.type());
            }
            // Each descriptor: pc, base, semaphore (3 x u64), then provider, name, args as C strings.
            Note first = notes.getFirst();
            long pc = jvm.u64(first.descriptor(), 0);
            long probeOffset = jvm.fileOffsetOf(pc).orElseThrow();
            assertTrue(probeOffset >= text.offset() && probeOffset < text.offset() + text.size());
            String[] strings = new String(first.descriptor().asSlice(24).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.US_ASCII).split("\0");
            assertEquals("hotspot", strings[0]);
            assertTrue(jvm.notes().containsAll(notes), "notes() covers every SHT_NOTE section");
            assertTrue(jvm.notes().stream().anyMatch(n -> n.owner().equals("GNU")), "GNU build id note");

            Section relaDyn = jvm.section(".rela.dyn").orElseThrow();
            List<Relocation> rela = jvm.relocations(relaDyn);
            assertFalse(rela.isEmpty());
            assertTrue(rela.stream().allMatch(Relocation::hasAddend));
        }
    }

    @Test
    void malformedInputNamesWhatAndWhere() {
        byte[] good = ClangBpf.compile(SOURCE);

        FormatException tooShort = assertThrows(FormatException.class, () -> ElfFile.of(new byte[10]));
        assertTrue(tooShort.getMessage().contains("shorter than the 64-byte ELF64 header"), tooShort.getMessage());

        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        assertTrue(assertThrows(FormatException.class, () -> ElfFile.of(badMagic)).getMessage().contains("ELF magic"));

        byte[] elf32 = good.clone();
        elf32[4] = 1;
        assertTrue(assertThrows(FormatException.class, () -> ElfFile.of(elf32)).getMessage().contains("ELF class 1"));

        byte[] badOrder = good.clone();
        badOrder[5] = 9;
        assertTrue(assertThrows(FormatException.class, () -> ElfFile.of(badOrder)).getMessage()
                .contains("data encoding 9 at offset 5"));

        // Cut the file before the section header table (which clang puts at the end).
        byte[] truncated = Arrays.copyOf(good, good.length - 100);
        FormatException cut = assertThrows(FormatException.class, () -> ElfFile.of(truncated));
        assertTrue(cut.getMessage().contains("section header table") && cut.getMessage().contains("extends past"),
                cut.getMessage());

        // Point .symtab's string table link at a non-string section.
        ElfFile parsed = ElfFile.of(good);
        Section symtab = parsed.sections().stream().filter(s -> s.type() == Section.SHT_SYMTAB).findFirst().orElseThrow();
        Section text = parsed.section(".text").orElseThrow();
        byte[] badLink = good.clone();
        MemorySegment.ofArray(badLink).set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                parsed.header().sectionHeaderOffset() + (long) symtab.index() * 64 + 40, text.index());
        FormatException link = assertThrows(FormatException.class, () -> ElfFile.of(badLink).symbols());
        assertTrue(link.getMessage().contains("not a string table"), link.getMessage());

        // A section whose data lies past the end of the file.
        byte[] badSection = good.clone();
        MemorySegment.ofArray(badSection).set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                parsed.header().sectionHeaderOffset() + (long) text.index() * 64 + 24, 1L << 40);
        FormatException past = assertThrows(FormatException.class, () -> ElfFile.of(badSection));
        assertTrue(past.getMessage().contains("section " + text.index()) && past.getMessage().contains("extends past"),
                past.getMessage());
    }

    @Test
    void nonElfFileFromDisk() throws IOException {
        Path tmp = Files.createTempFile("jbcc", ".o");
        try (Arena arena = Arena.ofConfined()) {
            Files.writeString(tmp, "#!/bin/sh\necho this is not an ELF file but long enough to hold a header........\n");
            FormatException e = assertThrows(FormatException.class, () -> ElfFile.map(tmp, arena));
            assertTrue(e.getMessage().startsWith(tmp.toString()), e.getMessage());
        } finally {
            Files.delete(tmp);
        }
    }

    static Symbol symbol(ElfFile elf, String name) {
        return elf.symbols().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no symbol " + name));
    }
}
