package dev.jbcc.spec;

import dev.jbcc.errors.FormatException;
import dev.jbcc.elf.ClangBpf;
import dev.jbcc.elf.ElfFile;
import dev.jbcc.elf.Section;
import dev.jbcc.elf.Symbol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Objects that clang made and one field then broke, each as a fuzzer first found it: reading them
 * throws FormatException naming what is wrong, not IndexOutOfBounds or IllegalArgument.
 */
class MalformedObjectTest {
    static final String PROGRAM = """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            SEC("xdp") int pass(struct xdp_md *ctx) { return XDP_PASS; }
            char LICENSE[] SEC("license") = "GPL";
            """;
    static byte[] object;

    @BeforeAll
    static void compile() {
        object = ClangBpf.compile(PROGRAM);
        ObjectReader.read(object); // intact, it reads
    }

    @Test
    void negativeFunctionSymbolSize() {
        byte[] broken = object.clone();
        ElfFile elf = ElfFile.of(object);
        Section symtab = elf.section(".symtab").orElseThrow();
        Symbol pass = elf.symbols().stream().filter(s -> s.name().equals("pass")).findFirst().orElseThrow();
        // st_size is the last field of the 24-byte Elf64_Sym.
        buffer(broken).putLong((int) (symtab.offset() + pass.index() * 24L + 16), -8);
        FormatException e = assertThrows(FormatException.class, () -> ObjectReader.read(broken));
        assertTrue(e.getMessage().contains("function pass at offset 0 with size -8"), e.getMessage());
    }

    @Test
    void sectionNameTableOfTypeNull() {
        assertNameTableRejected(Section.SHT_NULL);
    }

    @Test
    void sectionNameTableOfTypeNoBits() {
        assertNameTableRejected(Section.SHT_NOBITS);
    }

    /** The section-name table's type changed to {@code type} and its offset moved past the end of the file. */
    private static void assertNameTableRejected(int type) {
        byte[] broken = object.clone();
        ElfFile elf = ElfFile.of(object);
        long header = elf.header().sectionHeaderOffset() + elf.header().sectionNamesIndex() * 64L;
        ByteBuffer b = buffer(broken);
        b.putInt((int) header + 4, type);
        b.putLong((int) header + 24, 1L << 40);
        FormatException e = assertThrows(FormatException.class, () -> ObjectReader.read(broken));
        assertTrue(e.getMessage().contains("section name table " + elf.header().sectionNamesIndex() + " (header at offset "
                + header + ") has type " + type + ", not a string table"), e.getMessage());
    }

    @Test
    void mapValueOfAForwardDeclaredType() {
        byte[] fwd = ClangBpf.compile("""
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                struct never_defined;
                struct {
                    __uint(type, BPF_MAP_TYPE_HASH);
                    __uint(max_entries, 1);
                    __type(key, int);
                    __type(value, struct never_defined);
                } incomplete SEC(".maps");
                SEC("xdp") int pass(struct xdp_md *ctx) {
                    int k = 0;
                    return bpf_map_lookup_elem(&incomplete, &k) ? XDP_PASS : XDP_DROP;
                }
                char LICENSE[] SEC("license") = "GPL";
                """);
        FormatException e = assertThrows(FormatException.class, () -> ObjectReader.read(fwd));
        assertTrue(e.getMessage().contains("map incomplete field value: FWD never_defined has no size"), e.getMessage());
    }

    private static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ElfFile.of(bytes).byteOrder());
    }
}
