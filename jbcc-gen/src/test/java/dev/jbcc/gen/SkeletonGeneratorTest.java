package dev.jbcc.gen;

import dev.jbcc.Codec;
import dev.jbcc.errors.FormatException;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ObjectReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.RecordComponent;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generates the skeleton of an object that uses every shape the generator maps, compiles it with
 * javac and checks the records against the object's BTF: each component is read from and written
 * to the offset (and bits) BTF gives its member.
 */
class SkeletonGeneratorTest {
    private static final String C = """
            #include "vmlinux.h"
            #include <bpf/bpf_helpers.h>

            enum jb_color { JB_RED = 1, JB_GREEN = 2, JB_BLUE = -4 };
            enum __attribute__((packed)) jb_small { JB_TINY = 7, JB_BIG = 200 };

            struct jb_point { __s16 x; __s16 y; };
            struct jb_sample {
                struct jb_point at;                 // nested struct
                struct jb_point path[2];            // array of structs
                __u32 grid[2][3];                // array of arrays
                char name[12];                   // string
                enum jb_color color;                // signed enum
                enum jb_small size;                 // 1-byte unsigned enum
                _Bool ok;
                int delta : 5, flag : 1;         // signed bitfields
                unsigned int level : 3, on : 1;  // unsigned (1 bit: boolean)
                union { __u32 word; __u8 bytes[4]; } raw;  // opaque bytes
                __u64 ptr_like;
                double ratio;
            };

            struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8);
                     __type(key, struct jb_point); __type(value, struct jb_sample); } samples SEC(".maps");
            struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1);
                     __type(key, __u32); __type(value, __u64); } per_cpu SEC(".maps");
            struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 8);
                     __type(value, enum jb_color); } colors SEC(".maps");
            struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4);
                     __uint(value_size, 4); } perf_events SEC(".maps");
            struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } raw_ring SEC(".maps");

            const volatile struct jb_point origin = {};
            const volatile char label[8] = "abc";
            __u32 hits[4];
            struct jb_sample last = {};

            SEC("xdp") int pass(struct xdp_md *ctx) { hits[0]++; last.ok = 1; return XDP_PASS; }
            SEC("kprobe/do_sys_openat2") int probe(void *ctx) { return origin.x + label[0]; }
            SEC("raw_tp/sys_enter") int raw(void *ctx) { return bpf_map_lookup_elem(&samples, &origin) != 0; }
            SEC("tc") int cls(struct __sk_buff *skb) { return 0; }
            SEC("cgroup/connect4") int conn(struct bpf_sock_addr *ctx) { return 1; }
            char LICENSE[] SEC("license") = "GPL";
            """;

    private static byte[] elf;
    private static CollectionSpec spec;

    @BeforeAll
    static void compile() {
        elf = ClangCompiler.create().compile(dev.jbcc.compile.Source.of("shapes.bpf.c", C), List.of("-gno-embed-source")).elf();
        spec = ObjectReader.read(elf);
    }

    @Test
    void generatedSkeletonCompilesAndItsRecordsFollowTheBtfLayout(@TempDir Path dir) throws Exception {
        var file = SkeletonGenerator.generate(elf, "shapes.bpf.o",
                SkeletonGenerator.Options.of("gen.test").withEventType("perf_events", "struct jb_point"));
        assertEquals("Shapes", file.simpleName());
        assertTrue(file.writeTo(dir.resolve("src")));
        assertTrue(!file.writeTo(dir.resolve("src")), "an unchanged file is not rewritten");
        Class<?> shapes = compileAndLoad(dir, file);

        Class<?> sample = nested(shapes, "JbSample");
        assertEquals("at:JbPoint path:JbPoint[] grid:int[][] name:String color:JbColor size:JbSmall ok:boolean delta:int"
                        + " flag:int level:int on:boolean raw:byte[] ptrLike:long ratio:double",
                Arrays.stream(sample.getRecordComponents()).map(c -> c.getName() + ":" + c.getType().getSimpleName())
                        .collect(Collectors.joining(" ")));

        // A record with a distinct value in every component, written and read back through its codec.
        Class<?> point = nested(shapes, "JbPoint");
        Class<?> color = nested(shapes, "JbColor");
        Class<?> small = nested(shapes, "JbSmall");
        Object p1 = point.getDeclaredConstructors()[0].newInstance((short) -3, (short) 4);
        Object p2 = point.getDeclaredConstructors()[0].newInstance((short) 5, (short) -6);
        Object p3 = point.getDeclaredConstructors()[0].newInstance((short) 7, (short) 8);
        Object blue = color.getMethod("of", long.class).invoke(null, -4L);
        Object big = small.getMethod("of", long.class).invoke(null, 200L);
        Object value = sample.getDeclaredConstructors()[0].newInstance(p1, arrayOf(point, p2, p3),
                new int[][]{{1, 2, 3}, {4, 5, 6}}, "hello", blue, big, true, -11, -1, 5, true,
                new byte[]{9, 8, 7, 6}, 0x1122334455667788L, 0.25);
        @SuppressWarnings("unchecked")
        Codec<Object> codec = (Codec<Object>) sample.getField("CODEC").get(null);
        Btf btf = spec.btf();
        int sampleId = btf.lookupFirst("jb_sample", BtfType.Struct.class).orElseThrow();
        assertEquals(btf.sizeOf(sampleId), codec.size());
        MemorySegment bytes = MemorySegment.ofArray(new byte[codec.size()]);
        codec.encode(value, bytes);
        assertEquals(value.toString().replaceAll("@[0-9a-f]+", ""), codec.decode(bytes).toString().replaceAll("@[0-9a-f]+", ""));
        for (RecordComponent c : sample.getRecordComponents()) {
            if (c.getType().isArray()) continue; // compared below
            assertEquals(c.getAccessor().invoke(value), c.getAccessor().invoke(codec.decode(bytes)), c.getName());
        }
        assertArrayEquals(new int[]{4, 5, 6}, ((int[][]) sample.getMethod("grid").invoke(codec.decode(bytes)))[1]);

        // Independently of the generated code: the bytes sit where BTF puts each member.
        Map<String, BtfType.Member> members = ((BtfType.Struct) btf.type(sampleId)).members().stream()
                .collect(Collectors.toMap(BtfType.Member::name, m -> m));
        assertEquals(-3, bytes.get(ValueLayout.JAVA_SHORT_UNALIGNED, byteOffset(members, "at")));
        assertEquals(-6, bytes.get(ValueLayout.JAVA_SHORT_UNALIGNED, byteOffset(members, "path") + 2), "path[0].y");
        assertEquals(8, bytes.get(ValueLayout.JAVA_SHORT_UNALIGNED, byteOffset(members, "path") + 4 + 2), "path[1].y");
        assertEquals(5, bytes.get(ValueLayout.JAVA_INT_UNALIGNED, byteOffset(members, "grid") + 4 * 4));
        assertEquals('h', bytes.get(ValueLayout.JAVA_BYTE, byteOffset(members, "name")));
        assertEquals(0, bytes.get(ValueLayout.JAVA_BYTE, byteOffset(members, "name") + 5), "NUL-terminated");
        assertEquals(-4, bytes.get(ValueLayout.JAVA_INT_UNALIGNED, byteOffset(members, "color")));
        assertEquals((byte) 200, bytes.get(ValueLayout.JAVA_BYTE, byteOffset(members, "size")));
        assertEquals(-11, bits(bytes, members.get("delta"), true));
        assertEquals(-1, bits(bytes, members.get("flag"), true));
        assertEquals(5, bits(bytes, members.get("level"), false));
        assertEquals(1, bits(bytes, members.get("on"), false));
        assertEquals(0x1122334455667788L, bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, byteOffset(members, "ptr_like")));
        assertEquals(0.25, bytes.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, byteOffset(members, "ratio")));
        assertNull(color.getMethod("of", long.class).invoke(null, 99L), "a value the enum does not name");

        // The rest of the skeleton: typed views, event decoding, handles and globals are there and typed.
        String src = file.source();
        for (String expected : List.of(
                "public TypedMap<JbPoint, JbSample> samples()", "public PerCpuMap<Integer, Long> perCpu()",
                "public TypedQueue<JbColor> colors()", "public PerfBufferReader perfEvents(ObjIntConsumer<? super JbPoint> events)",
                "public RingBufferReader rawRing(RecordHandler events)",
                "public dev.jbcc.link.XdpLink attach(String device)", "public Link attach()",
                "public dev.jbcc.link.KprobeLink attach(dev.jbcc.link.KprobeOptions options)",
                "public dev.jbcc.link.RawTracepointLink attach()", "dev.jbcc.link.TcLink attach(String device, dev.jbcc.link.TcDirection direction)",
                "public dev.jbcc.link.CgroupLink attach(Path cgroup)",
                "public Opener origin(JbPoint value)", "public Opener label(String value)",
                "public int[] hits()", "public void last(JbSample value)")) {
            assertTrue(src.contains(expected), expected);
        }
    }

    @Test
    void anEventStructMissingFromBtfIsNamedWithTheFix() {
        var e = assertThrows(FormatException.class, () -> SkeletonGenerator.generate(elf, "shapes.bpf.o",
                SkeletonGenerator.Options.of("p").withEventType("raw_ring", "nosuch")));
        assertTrue(e.getMessage().contains("struct nosuch") && e.getMessage().contains("jbcc.record:raw_ring"), e.getMessage());
    }

    @Test
    void classNamesComeFromTheObjectName() {
        assertEquals("Opensnoop", SkeletonGenerator.className("opensnoop.bpf.o"));
        assertEquals("TcDrop", SkeletonGenerator.className("dir/tc-drop.o"));
    }

    private static long byteOffset(Map<String, BtfType.Member> members, String name) {
        return members.get(name).bitOffset() / 8;
    }

    private static long bits(MemorySegment s, BtfType.Member m, boolean signed) {
        long word = s.get(ValueLayout.JAVA_LONG_UNALIGNED, m.bitOffset() / 64 * 8);
        long v = word << (64 - m.bitOffset() % 64 - m.bitfieldSize());
        return signed ? v >> (64 - m.bitfieldSize()) : v >>> (64 - m.bitfieldSize());
    }

    private static Object arrayOf(Class<?> type, Object... values) {
        Object array = java.lang.reflect.Array.newInstance(type, values.length);
        for (int i = 0; i < values.length; i++) java.lang.reflect.Array.set(array, i, values[i]);
        return array;
    }

    private static Class<?> nested(Class<?> outer, String name) {
        return Arrays.stream(outer.getDeclaredClasses()).filter(c -> c.getSimpleName().equals(name)).findFirst().orElseThrow();
    }

    private static Class<?> compileAndLoad(Path dir, SkeletonGenerator.JavaFile file) throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        var log = new java.io.StringWriter();
        var javac = java.util.spi.ToolProvider.findFirst("javac").orElseThrow();
        int rc = javac.run(new java.io.PrintWriter(log), new java.io.PrintWriter(log), "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), "-Xlint:all", "-Werror", file.path(dir.resolve("src")).toString());
        assertEquals(0, rc, () -> log + "\n" + file.source());
        var loader = new URLClassLoader(new java.net.URL[]{classes.toUri().toURL()}, SkeletonGeneratorTest.class.getClassLoader());
        return loader.loadClass(file.packageName() + "." + file.simpleName());
    }
}
