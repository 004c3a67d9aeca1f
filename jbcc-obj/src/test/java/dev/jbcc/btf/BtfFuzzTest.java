package dev.jbcc.btf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jbcc.errors.FormatException;
import dev.jbcc.elf.ClangBpf;
import dev.jbcc.elf.ElfFile;
import dev.jbcc.spec.ObjectReaderFuzzTest;
import dev.jbcc.obj.testing.FuzzSeeds;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz targets for BTF: raw blobs ({@link Btf#parse(byte[])} and every type decoded from them),
 * {@code .BTF.ext} over the BTF it describes, and the header writer. Each either succeeds or throws
 * FormatException, and its output is bounded by its input. Seeds come from clang objects and from
 * BTF built with jbcc's own encoder ({@code dev.jbcc.obj.testing.FuzzSeeds}).
 */
public class BtfFuzzTest {
    /** One type of every kind, each used the way C uses it. */
    static final List<BtfType> EVERY_KIND = List.of(
            new BtfType.Int("int", 4, BtfType.IntEncoding.SIGNED, 0, 32),                                     // 1
            new BtfType.Ptr(1),                                                                                 // 2
            new BtfType.Array(1, 1, 4),                                                                         // 3
            new BtfType.Struct("pair", 24, List.of(new BtfType.Member("a", 1, 0, 0),
                    new BtfType.Member("bits", 1, 32, 3), new BtfType.Member("p", 2, 64, 0),
                    new BtfType.Member("four", 3, 128, 0))),                                                    // 4
            new BtfType.Union("either", 8, List.of(new BtfType.Member("i", 1, 0, 0),
                    new BtfType.Member("p", 2, 0, 0))),                                                         // 5
            new BtfType.Enum("color", 4, true, List.of(new BtfType.EnumValue("RED", 0),
                    new BtfType.EnumValue("DARK", -1))),                                                        // 6
            new BtfType.Enum64("big", 8, false, List.of(new BtfType.EnumValue("HUGE", 1L << 40))),              // 7
            new BtfType.Fwd("opaque", false),                                                                   // 8
            new BtfType.Typedef("pair_t", 4),                                                                   // 9
            new BtfType.Volatile(1),                                                                            // 10
            new BtfType.Const(10),                                                                              // 11
            new BtfType.Restrict(2),                                                                            // 12
            new BtfType.FuncProto(1, List.of(new BtfType.Param("x", 1), new BtfType.Param("p", 12)), false),   // 13
            new BtfType.Func("f", 13, BtfType.Linkage.GLOBAL),                                                  // 14
            new BtfType.Var("v", 9, BtfType.Linkage.GLOBAL),                                                    // 15
            new BtfType.DataSec(".data", 24, List.of(new BtfType.VarSecInfo(15, 0, 24))),                       // 16
            new BtfType.Float("double", 8),                                                                     // 17
            new BtfType.DeclTag("tagged", 4, 0, false),                                                         // 18
            new BtfType.TypeTag("user", 1, false),                                                              // 19
            new BtfType.Ptr(19),                                                                                // 20
            new BtfType.Struct("", 16, List.of(new BtfType.Member("", 5, 0, 0),
                    new BtfType.Member("o", 23, 64, 0))),                                                   // 21
            new BtfType.Typedef("anon_t", 21),                                                                  // 22
            new BtfType.Ptr(8));                                                                                // 23

    /** Writes the seeds: {@code args[0]} is the test resources directory. */
    public static void main(String[] args) {
        Path root = FuzzSeeds.root(args);
        byte[] everyKind = Btf.of(EVERY_KIND).marshal();
        byte[] bigEndian = Btf.of(EVERY_KIND).marshal(ByteOrder.BIG_ENDIAN);
        for (String method : List.of("rawBtf", "headerWriter")) {
            FuzzSeeds.write(root, BtfFuzzTest.class, method, "every_kind", everyKind);
            FuzzSeeds.write(root, BtfFuzzTest.class, method, "every_kind_big_endian", bigEndian);
        }
        for (Map.Entry<String, String> e : ObjectReaderFuzzTest.SEEDS.entrySet()) {
            ElfFile elf = ElfFile.of(ClangBpf.compile(e.getValue()));
            byte[] btf = elf.contents(elf.section(".BTF").orElseThrow()).toArray(ValueLayout.JAVA_BYTE);
            byte[] ext = elf.contents(elf.section(".BTF.ext").orElseThrow()).toArray(ValueLayout.JAVA_BYTE);
            FuzzSeeds.write(root, BtfFuzzTest.class, "rawBtf", e.getKey(), btf);
            FuzzSeeds.write(root, BtfFuzzTest.class, "headerWriter", e.getKey(), btf);
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.write(btf.length & 0xff);
            both.write(btf.length >>> 8);
            both.writeBytes(btf);
            both.writeBytes(ext);
            FuzzSeeds.write(root, BtfFuzzTest.class, "btfExt", e.getKey(), both.toByteArray());
        }
    }

    @FuzzTest
    void rawBtf(byte[] blob) {
        Btf btf;
        try {
            btf = Btf.parse(blob.clone());
        } catch (FormatException expected) {
            return;
        }
        // The smallest type is 12 bytes; id 0 is implicit.
        assertTrue(btf.typeCount() <= blob.length / 12 + 1, "more types than the blob can hold");
        for (int id = 0; id < btf.typeCount(); id++) {
            BtfType t = btf.type(id);
            assertTrue(t.name().length() <= blob.length, "a name longer than the blob");
            btf.describe(id);
            try {
                btf.resolve(id);
                btf.sizeOf(id);
            } catch (FormatException cycle) {
                // a qualifier or array cycle: refused, as documented
            } catch (IllegalArgumentException noSize) {
                // documented for void, functions and forward declarations; anything else is a finding
                assertTrue(List.of(BtfKind.VOID, BtfKind.FUNC, BtfKind.FUNC_PROTO, BtfKind.FWD, BtfKind.DECL_TAG)
                        .contains(btf.kind(sizeless(btf, id))), "no size for " + btf.describe(id) + ": " + noSize);
            }
        }
    }

    /** Follows what sizeOf follows, to the type that has no size. */
    private static int sizeless(Btf btf, int id) {
        for (int i = 0; i < 64; i++) {
            switch (btf.type(id)) {
                case BtfType.Array a -> id = a.type();
                case BtfType.Reference r -> id = r.type();
                case BtfType.Var v -> id = v.type();
                default -> {
                    return id;
                }
            }
        }
        return id;
    }

    /** Input: a 2-byte little-endian length n, n bytes of .BTF, then the .BTF.ext. */
    @FuzzTest
    void btfExt(byte[] input) {
        if (input.length < 2) return;
        int n = Math.min((input[0] & 0xff) | (input[1] & 0xff) << 8, input.length - 2);
        Btf btf;
        try {
            btf = Btf.parse(Arrays.copyOfRange(input, 2, 2 + n));
        } catch (FormatException notTheTarget) {
            return;
        }
        byte[] ext = Arrays.copyOfRange(input, 2 + n, input.length);
        BtfExt parsed;
        try {
            parsed = BtfExt.parse(ext, btf);
        } catch (FormatException expected) {
            return;
        }
        long records = 0;
        for (var l : parsed.funcInfos().values()) records += l.size();
        for (var l : parsed.lineInfos().values()) records += l.size();
        for (var l : parsed.coreRelos().values()) records += l.size();
        assertTrue(records <= ext.length / 8, records + " records from " + ext.length + " bytes");
    }

    @FuzzTest
    void headerWriter(byte[] blob) {
        Btf btf;
        try {
            btf = Btf.parse(blob.clone());
        } catch (FormatException notTheTarget) {
            return;
        }
        String header;
        try {
            header = BtfHeaderWriter.header(btf);
        } catch (FormatException expected) {
            return;
        }
        // The boilerplate around the types is under 1 KiB.
        assertTrue(header.length() <= BtfHeaderWriter.BASE_ALLOWANCE + 1024
                        + (long) BtfHeaderWriter.CHARS_PER_BYTE * blob.length,
                header.length() + " characters of header from " + blob.length + " bytes of BTF");
    }
}
