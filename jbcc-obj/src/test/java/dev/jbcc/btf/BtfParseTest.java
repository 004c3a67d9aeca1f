package dev.jbcc.btf;

import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.UnsupportedFeatureException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BtfParseTest {
    /** Every BTF kind clang emits, with layouts the test asserts from this source text. */
    static final String PROGRAM = """
            typedef unsigned int u32;
            typedef unsigned long long u64;
            #define SEC(n) __attribute__((section(n), used))
            #define __tag(x) __attribute__((btf_decl_tag(x)))
            #define __user __attribute__((btf_type_tag("user")))

            struct flags { unsigned int a : 3; unsigned int b : 5; int c; };
            struct packed_s { char c; long long v; } __attribute__((packed));
            enum small { SMALL_A = -1, SMALL_B = 7 };
            enum big { BIG_A = 0x100000000ULL, BIG_B = 1 };
            union num { int i; float f; double d; };
            struct matrix { int cells[3][4]; };

            struct {
                int (*type)[2];
                int (*max_entries)[16];
                u32 *key;
                u64 *value;
            } counts SEC(".maps");

            int global_counter = 3;
            const volatile int config_value = 5;
            u64 zeroes[4];
            struct flags tagged_flags __tag("my_tag");
            union num number;
            enum small small_value;
            enum big big_value;
            struct packed_s packed_value;
            struct matrix matrix_value;
            int __user *user_pointer;

            static __attribute__((noinline)) int helper(struct flags *f, int scale)
            {
                return f->a * scale + f->c;
            }

            SEC("xdp") int prog(void *ctx)
            {
                global_counter += config_value;
                zeroes[1]++;
                return helper(&tagged_flags, number.i) + small_value + (int) big_value
                        + packed_value.v + matrix_value.cells[2][3];
            }

            char LICENSE[] SEC("license") = "GPL";
            """;

    @TempDir
    static Path dir;
    static Btf object;
    static Btf objectBigEndian;

    @BeforeAll
    static void compile() throws Exception {
        object = Btf.parse(Clang.section(Clang.compileBpf(dir, "kinds", PROGRAM, "bpfel"), ".BTF"));
        objectBigEndian = Btf.parse(Clang.section(Clang.compileBpf(dir, "kinds", PROGRAM, "bpfeb"), ".BTF"));
    }

    private static <T extends BtfType> T only(Btf btf, String name, Class<T> kind) {
        int[] ids = btf.lookup(name, kind);
        assertEquals(1, ids.length, () -> "expected one " + kind.getSimpleName() + " " + name + ", got "
                + Arrays.toString(ids));
        return btf.type(ids[0], kind);
    }

    private static BtfType.Member member(BtfType.Composite c, String name) {
        return c.members().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(c.name() + " has no member " + name));
    }

    @Test
    void objectFunctionsAndLinkage() {
        BtfType.Func prog = object.func("prog").orElseThrow();
        assertEquals(BtfType.Linkage.GLOBAL, prog.linkage());
        BtfType.FuncProto proto = object.type(prog.type(), BtfType.FuncProto.class);
        assertEquals(List.of("ctx"), proto.params().stream().map(BtfType.Param::name).toList());
        assertEquals("int", object.name(proto.returnType()));
        assertInstanceOf(BtfType.Ptr.class, object.type(proto.params().get(0).type()));
        assertEquals(BtfType.Void.INSTANCE, object.type(((BtfType.Ptr) object.type(proto.params().get(0).type())).type()));

        BtfType.Func helper = object.func("helper").orElseThrow();
        assertEquals(BtfType.Linkage.STATIC, helper.linkage());
        BtfType.FuncProto hp = object.type(helper.type(), BtfType.FuncProto.class);
        assertEquals(List.of("f", "scale"), hp.params().stream().map(BtfType.Param::name).toList());
        assertFalse(hp.variadic());
    }

    @Test
    void objectDataSectionsNameTheirVariables() {
        assertEquals(Set.of("global_counter"), varNames(object.dataSec(".data").orElseThrow()));
        assertEquals(Set.of("config_value"), varNames(object.dataSec(".rodata").orElseThrow()));
        assertTrue(varNames(object.dataSec(".bss").orElseThrow()).containsAll(Set.of("zeroes", "tagged_flags",
                "number", "small_value", "big_value", "packed_value", "matrix_value", "user_pointer")));
        assertEquals(Set.of("counts"), varNames(object.dataSec(".maps").orElseThrow()));
        BtfType.Var counter = only(object, "global_counter", BtfType.Var.class);
        assertEquals(BtfType.Linkage.GLOBAL, counter.linkage());
        assertEquals(4, object.sizeOf(counter.type()));
        // config_value is const volatile int: resolve() strips both qualifiers.
        BtfType.Var config = only(object, "config_value", BtfType.Var.class);
        assertInstanceOf(BtfType.Const.class, object.type(config.type()));
        assertEquals("int", object.name(object.resolve(config.type())));
    }

    private static Set<String> varNames(BtfType.DataSec ds) {
        return ds.vars().stream().map(v -> object.name(v.type())).collect(Collectors.toSet());
    }

    @Test
    void objectBitfieldsPackingAndArrays() {
        BtfType.Struct flags = only(object, "flags", BtfType.Struct.class);
        assertEquals(8, flags.size());
        assertEquals(new BtfType.Member("a", member(flags, "a").type(), 0, 3), member(flags, "a"));
        assertEquals(new BtfType.Member("b", member(flags, "b").type(), 3, 5), member(flags, "b"));
        assertEquals(new BtfType.Member("c", member(flags, "c").type(), 32, 0), member(flags, "c"));
        assertEquals(4, object.alignOf(object.lookup("flags")[0]));

        int packedId = object.lookup("packed_s", BtfType.Struct.class)[0];
        BtfType.Struct packed = object.type(packedId, BtfType.Struct.class);
        assertEquals(9, packed.size());
        assertEquals(8, member(packed, "v").bitOffset());
        assertEquals(1, object.alignOf(packedId));
        assertEquals(9, object.sizeOf(packedId));

        BtfType.Struct matrix = only(object, "matrix", BtfType.Struct.class);
        BtfType.Array outer = object.type(member(matrix, "cells").type(), BtfType.Array.class);
        assertEquals(3, outer.length());
        assertEquals(4, object.type(outer.type(), BtfType.Array.class).length());
        assertEquals(48, object.sizeOf(member(matrix, "cells").type()));

        BtfType.Union num = only(object, "num", BtfType.Union.class);
        assertEquals(8, num.size());
        assertTrue(num.members().stream().allMatch(m -> m.bitOffset() == 0));
        assertEquals(4, only(object, "float", BtfType.Float.class).size());
        assertEquals(8, only(object, "double", BtfType.Float.class).size());
    }

    @Test
    void objectEnumsAndTags() {
        BtfType.Enum small = only(object, "small", BtfType.Enum.class);
        assertTrue(small.signed());
        assertEquals(List.of(new BtfType.EnumValue("SMALL_A", -1), new BtfType.EnumValue("SMALL_B", 7)), small.values());
        BtfType.Enum64 big = only(object, "big", BtfType.Enum64.class);
        assertFalse(big.signed());
        assertEquals(8, big.size());
        assertEquals(List.of(new BtfType.EnumValue("BIG_A", 0x1_0000_0000L), new BtfType.EnumValue("BIG_B", 1)),
                big.values());

        BtfType.DeclTag tag = only(object, "my_tag", BtfType.DeclTag.class);
        assertEquals(-1, tag.componentIdx());
        assertEquals("tagged_flags", object.name(tag.type()));
        BtfType.Var userPointer = only(object, "user_pointer", BtfType.Var.class);
        BtfType.Ptr ptr = object.type(userPointer.type(), BtfType.Ptr.class);
        BtfType.TypeTag user = object.type(ptr.type(), BtfType.TypeTag.class);
        assertEquals("user", user.name());
        assertEquals("int", object.name(object.resolve(ptr.type())));
    }

    @Test
    void bigEndianObjectParsesToTheSameTypes() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, object.order());
        assertEquals(ByteOrder.BIG_ENDIAN, objectBigEndian.order());
        assertEquals(object.types(), objectBigEndian.types());
    }

    @Test
    void kernelTypesResolve() {
        Btf kernel = Btf.kernel();
        assertSame(kernel, Btf.kernel());
        BtfType.Struct task = kernel.type(kernel.lookupFirst("task_struct", BtfType.Struct.class).orElseThrow(),
                BtfType.Struct.class);
        BtfType.Int pid = kernel.type(kernel.resolve(member(task, "pid").type()), BtfType.Int.class);
        assertEquals("int", pid.name());
        assertEquals(BtfType.IntEncoding.SIGNED, pid.encoding());
        assertEquals(4, kernel.sizeOf(member(task, "pid").type()));
        assertEquals(task.size(), kernel.sizeOf(kernel.lookup("task_struct", BtfType.Struct.class)[0]));
        assertTrue(kernel.func("bpf_prog_load").isPresent() || kernel.func("bpf_prog_put").isPresent());
        assertEquals(0, kernel.lookup("jbcc_no_such_type").length);
        assertEquals(0, kernel.lookup("").length);
        assertThrows(IllegalArgumentException.class, () -> kernel.type(kernel.typeCount()));
        assertThrows(IllegalArgumentException.class, () -> kernel.type(-1));
    }

    @Test
    void kernelNameIndexFindsEveryNamedType() {
        Btf kernel = Btf.parse(MemorySegment.ofArray(rawKernelBytes()));
        int named = 0;
        for (int id = 1; id < kernel.typeCount(); id++) {
            BtfType t = kernel.type(id);
            assertEquals(t.kind(), kernel.kind(id));
            assertEquals(t.name(), kernel.name(id));
            if (!t.name().isEmpty()) {
                named++;
                int found = id;
                int[] ids = kernel.lookup(t.name());
                assertTrue(Arrays.stream(ids).anyMatch(i -> i == found), () -> "lookup(" + t.name() + ") misses " + found);
                assertTrue(Arrays.stream(ids).allMatch(i -> kernel.name(i).equals(t.name())));
            }
        }
        assertTrue(named > 1000, "kernel BTF has " + named + " named types");
    }

    private static byte[] rawKernelBytes() {
        try {
            return java.nio.file.Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux"));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void kernelModuleWithoutBtfIsUnsupported() {
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> Btf.kernelModule("jbcc_no_such_module"));
        assertTrue(e.getMessage().contains("/sys/kernel/btf/jbcc_no_such_module"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Btf.kernelModule("../vmlinux"));
    }

    @Test
    void splitBtfContinuesBaseIdsAndStrings() {
        Btf kernel = Btf.kernel();
        int task = kernel.lookup("task_struct", BtfType.Struct.class)[0];
        int first = kernel.typeCount();
        Btf built = Btf.of(kernel, List.of(
                new BtfType.Ptr(task),
                new BtfType.Struct("jbcc_split_holder", 8, List.of(new BtfType.Member("task", first, 0, 0))),
                new BtfType.Typedef("task_struct_t", task)));
        Btf split = Btf.parse(built.marshal(), kernel);
        assertSame(kernel, split.base());
        assertEquals(first, split.firstTypeId());
        assertEquals(first + 3, split.typeCount());
        assertArrayEquals(new int[] {first + 1}, split.lookup("jbcc_split_holder"));
        assertArrayEquals(kernel.lookup("task_struct"), split.lookup("task_struct"));
        assertEquals(kernel.type(task), split.type(task));
        assertEquals("task_struct", split.name(split.resolve(first + 2)));
        assertEquals(kernel.sizeOf(task), split.sizeOf(first + 2));
        assertEquals(8, split.sizeOf(first + 1));
        assertEquals(List.of(new BtfType.Ptr(task),
                        new BtfType.Struct("jbcc_split_holder", 8, List.of(new BtfType.Member("task", first, 0, 0))),
                        new BtfType.Typedef("task_struct_t", task)),
                split.ownTypes());
    }

    // --- malformed input: one FormatException naming what and where

    private static byte[] small() {
        return Btf.of(List.of(
                new BtfType.Int("int", 4, BtfType.IntEncoding.SIGNED, 0, 32),
                new BtfType.Ptr(1),
                new BtfType.Struct("s", 8, List.of(new BtfType.Member("p", 2, 0, 0))))).marshal(ByteOrder.LITTLE_ENDIAN);
    }

    private static String failure(byte[] blob) {
        return assertThrows(FormatException.class, () -> Btf.parse(blob)).getMessage();
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
        b[at + 2] = (byte) (v >> 16);
        b[at + 3] = (byte) (v >> 24);
    }

    @Test
    void malformedBlobsAreRejectedWithTheirPlace() {
        assertTrue(failure(new byte[10]).contains("too short"));
        byte[] elf = small();
        elf[0] = 0x7f;
        elf[1] = 'E';
        assertTrue(failure(elf).contains("bad magic"), failure(elf));

        byte[] version = small();
        version[2] = 2;
        assertTrue(failure(version).contains("version 2"));

        byte[] unknownKind = small();
        // type id 2 (PTR) starts at 24 + 16: set its kind to 31.
        putInt(unknownKind, 24 + 16 + 4, 31 << 24);
        String m = failure(unknownKind);
        assertTrue(m.contains("type id 2") && m.contains("unknown kind 31"), m);

        byte[] badRef = small();
        putInt(badRef, 24 + 16 + 8, 99);
        m = failure(badRef);
        assertTrue(m.contains("type id 2") && m.contains("type id 99 does not exist"), m);

        byte[] badMemberRef = small();
        putInt(badMemberRef, 24 + 16 + 12 + 12 + 4, 77);
        m = failure(badMemberRef);
        assertTrue(m.contains("type id 3") && m.contains("member 0") && m.contains("77"), m);

        byte[] badName = small();
        putInt(badName, 24, 100_000);
        m = failure(badName);
        assertTrue(m.contains("type id 1") && m.contains("name offset 100000"), m);

        byte[] truncated = small();
        putInt(truncated, 12, 16 + 12 + 12 + 6); // type_len cuts the struct's member
        m = failure(truncated);
        assertTrue(m.contains("type id 3") && m.contains("needs 24 bytes"), m);

        byte[] strings = small();
        strings[strings.length - 1] = 'x';
        assertTrue(failure(strings).contains("does not end with a NUL"));

        byte[] pastEnd = small();
        putInt(pastEnd, 20, 1 << 20);
        assertTrue(failure(pastEnd).contains("string section"));
    }
}
