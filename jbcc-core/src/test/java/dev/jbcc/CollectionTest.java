package dev.jbcc;

import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.errors.VerifierException;
import dev.jbcc.features.KernelVersion;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.TempBpfFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Loads the C programs in resources/bpf/loader through the whole pipeline on the running kernel. */
@ExtendWith(FdLeakCheck.class)
class CollectionTest {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;

    static CollectionSpec compile(String resource) {
        try (InputStream in = CollectionTest.class.getResourceAsStream("/bpf/loader/" + resource)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            byte[] elf = ClangCompiler.create().compile(Source.of(resource, text), List.of()).elf();
            return ObjectReader.read(elf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] packet() {
        return new byte[64];
    }

    @Test
    void globalsAreSetBeforeLoadAndReadAndWrittenThroughMmapAfter() {
        CollectionSpec spec = compile("globals.c").withVariable("factor", 3);
        try (Collection c = Collection.load(spec)) {
            Program bump = c.program("bump");
            MemorySegment counter = c.variable("counter");
            MemorySegment seen = c.variable("seen");
            MemorySegment extra = c.variable("extra");
            assertEquals(5, counter.get(U64, 0), ".data starts with the object's initial value");
            assertEquals(0, seen.get(U64, 0), ".bss starts zeroed");

            assertEquals(2 /* XDP_PASS */, bump.testRun(TestRun.packet(packet())).returnValue());
            bump.testRun(TestRun.packet(packet()));
            assertEquals(5 + 3 + 3, counter.get(U64, 0), "the program added the .rodata factor set from Java");
            assertEquals(2 * 11, seen.get(U64, 0));
            assertEquals(10 + 2, extra.get(U32, 12), "named .data.extra section");

            counter.set(U64, 0, 100);
            bump.testRun(TestRun.packet(packet()));
            assertEquals(103, counter.get(U64, 0), "a write from Java is seen by the program");

            MemorySegment factor = c.variable("factor");
            assertEquals(3, factor.get(U32, 0));
            assertTrue(factor.isReadOnly(), ".rodata is frozen and mapped read-only after load");
            assertThrows(RuntimeException.class, () -> c.map(".rodata").update(
                    MemorySegment.ofArray(new int[]{0}), MemorySegment.ofArray(new byte[c.map(".rodata").valueSize()])));
        }
    }

    @Test
    void bpfToBpfCallsAndATailCallFilledFromTheObject() {
        try (Collection c = Collection.load(compile("calls.c"))) {
            assertEquals(13, c.program("call_subprograms").testRun(TestRun.packet(packet())).returnValue(),
                    "add_three(twice(5)) through a static and a global subprogram");
            assertEquals(42, c.program("tail_caller").testRun(TestRun.packet(packet())).returnValue(),
                    "tail call into tail_target through jump_table[2]");
            assertEquals(c.program("tail_target").id(), c.map("jump_table").lookupId(2).orElseThrow());
        }
    }

    @Test
    void everyMapTypeOfTheObjectIsCreatedAndUsedByTheProgram() throws Exception {
        try (var bpffs = new TempBpfFs()) {
            Path pins = bpffs.path();
            CollectionSpec spec = compile("maps.c");
            try (Collection c = Collection.load(spec, CollectionOptions.defaults().withPinPath(pins))) {
                for (var e : spec.maps().entrySet()) {
                    if (e.getKey().startsWith(".")) continue;
                    assertEquals(e.getValue().type(), c.map(e.getKey()).info().type(), e.getKey());
                }
                var lpm = c.map("lpm");
                byte[] key = {24, 0, 0, 0, 10, 0, 0, 0}; // 10.0.0.0/24
                lpm.update(MemorySegment.ofArray(key), MemorySegment.ofArray(new int[]{77}));
                Program p = c.program("touch_maps");
                p.testRun(TestRun.packet(packet()));
                p.testRun(TestRun.packet(packet()));

                var hash = c.map("hash").as(Codec.INT, Codec.LONG);
                assertEquals(2L, hash.get(1), "inserted, then incremented");
                assertEquals(20L, c.map("array").as(Codec.INT, Codec.LONG).get(1));
                assertEquals(2L, c.map("percpu_array").asPerCpu(Codec.INT, Codec.LONG).sum(1));
                assertEquals(1L, c.map("lru").as(Codec.INT, Codec.LONG).get(1));
                var queue = c.map("queue").asQueue(Codec.INT);
                assertEquals(77, queue.pop(), "the LPM lookup of 10.0.0.1 matched 10.0.0.0/24");
                assertEquals(7, c.map("stack").asQueue(Codec.INT).pop());
                var inner = c.map("inner_a").as(Codec.INT, Codec.LONG);
                assertEquals(200L, inner.get(0), "reached through outer_array[0] filled from the object");
                assertEquals(c.map("inner_a").id(), c.map("outer_array").lookupId(0).orElseThrow());

                MemorySegment ring = c.map("ring").mmap(0, 4096, false);
                long producer = c.map("ring").mmap(4096, 4096, false).get(ValueLayout.JAVA_LONG, 0);
                assertEquals(2 * 16, producer, "two 8-byte records with 8-byte headers were produced");
                assertEquals(0, ring.get(ValueLayout.JAVA_LONG, 0), "nothing consumed");

                assertTrue(Files.exists(pins.resolve("pinned_counts")), "LIBBPF_PIN_BY_NAME map pinned");
                int pinnedId = c.map("pinned_counts").id();
                try (Collection again = Collection.load(spec, CollectionOptions.defaults().withPinPath(pins))) {
                    assertEquals(pinnedId, again.map("pinned_counts").id(), "a second load reuses the pinned map");
                }
            }
            Files.delete(pins.resolve("pinned_counts"));
        }
    }

    @Test
    void kconfigExterns() {
        try (Collection c = Collection.load(compile("kconfig.c"))) {
            c.program("read_config").testRun(TestRun.context(new byte[8]));
            assertEquals(KernelVersion.current().code(), c.variable("kernel_version").get(U32, 0));
            String hz = KernelConfig.current().value("CONFIG_HZ").orElseThrow();
            assertEquals(Integer.parseInt(hz), c.variable("hz").get(U32, 0));
            assertEquals(1, c.variable("bpf_syscall").get(U32, 0));
            assertEquals(0, c.variable("missing_option").get(U32, 0), "a weak option the kernel lacks reads 0");
        }
    }

    @Test
    void typedKsymResolvesThroughKernelBtfWhereKallsymsListsDataSymbols() {
        CollectionSpec spec = compile("ksym.c");
        if (KernelConfig.current().isEnabled("CONFIG_KALLSYMS_ALL")) {
            try (Collection c = Collection.load(spec)) {
                c.program("read_runqueue").testRun(TestRun.context(new byte[8]));
                assertEquals(1, c.variable("rq_cpu").get(U32, 0), "runqueues of CPU 1 through bpf_per_cpu_ptr");
            }
        } else {
            var e = assertThrows(UnsupportedFeatureException.class, () -> Collection.load(spec));
            assertTrue(e.getMessage().contains("runqueues") && e.getMessage().contains("CONFIG_KALLSYMS_ALL"), e.getMessage());
        }
    }

    @Test
    void kfuncCallsResolveAgainstKernelBtfAndMissingWeakOnesArePoisoned() {
        CollectionSpec spec = compile("kfunc.c");
        if (KernelVersion.current().atLeast(6, 2)) {
            try (Collection c = Collection.load(spec)) {
                assertEquals(64, c.program("packet_length").testRun(TestRun.packet(new byte[64])).returnValue(),
                        "bpf_cast_to_kern_ctx gave the xdp_buff whose data_end - data is the packet length");
            }
        } else {
            // Before 6.2 the kernel has no such kfunc: the error names it and how to live without it.
            var e = assertThrows(UnsupportedFeatureException.class, () -> Collection.load(spec));
            assertTrue(e.getMessage().contains("kfunc bpf_cast_to_kern_ctx"), e.getMessage());
        }
    }

    /**
     * An object whose BTF makes a kernel log far larger than 64 KiB (as libbpf-tools' tcptracer,
     * tcplife and tcprtt do, 68-101 KB) loads with its BTF: its map is typed.
     */
    @Test
    void anObjectWhoseBtfLogPassesSixtyFourKibLoadsWithItsBtf() {
        var text = new StringBuilder("#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n");
        int structs = 1500;
        for (int i = 0; i < structs; i++) text.append("struct jbcc_s").append(i).append(" { int a; int b; };\n");
        text.append("struct jbcc_big {\n");
        for (int i = 0; i < structs; i++) text.append("  struct jbcc_s").append(i).append(" f").append(i).append(";\n");
        text.append("""
                };
                struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int);
                         __type(value, struct jbcc_big); } big SEC(".maps");
                SEC("xdp") int prog(struct xdp_md *ctx) { int k = 0; return bpf_map_lookup_elem(&big, &k) ? 2 : 1; }
                char LICENSE[] SEC("license") = "GPL";
                """);
        CollectionSpec spec = ObjectReader.read(ClangCompiler.create().compile(text.toString()).elf());
        try (Collection objects = Collection.load(spec)) {
            assertNotEquals(0, objects.map("big").info().btfId(), "the map was created with the object's BTF");
        }
    }

    @Test
    void missingKconfigOptionThatIsNotWeakNamesTheOption() {
        String text = """
                #include "vmlinux.h"
                #include <bpf/bpf_helpers.h>
                extern int CONFIG_JBCC_DOES_NOT_EXIST __kconfig;
                int out;
                SEC("xdp") int prog(struct xdp_md *ctx) { out = CONFIG_JBCC_DOES_NOT_EXIST; return 2; }
                char LICENSE[] SEC("license") = "GPL";
                """;
        CollectionSpec spec = ObjectReader.read(ClangCompiler.create().compile(text).elf());
        var e = assertThrows(UnsupportedFeatureException.class, () -> Collection.load(spec));
        assertTrue(e.getMessage().contains("CONFIG_JBCC_DOES_NOT_EXIST"), e.getMessage());
        assertTrue(e.getMessage().contains("__weak"), e.getMessage());
    }

    @Test
    void verifierRejectionNamesTheCLine() {
        var e = assertThrows(VerifierException.class, () -> Collection.load(compile("reject.c")));
        String m = e.getMessage();
        assertTrue(m.contains("unchecked_read"), m);
        assertTrue(m.contains("reject.c:9"), "the C file and line: " + m);
        assertTrue(m.contains("return data[20] == 1"), "the C source text: " + m);
        assertTrue(m.contains("invalid access to packet"), "the verifier's reason: " + m);
        assertTrue(e.log().contains("processed"), "the full log is kept");
    }

    @Test
    void failedLoadLeavesNothingBehind() throws Exception {
        int before = openBpfObjects();
        assertThrows(VerifierException.class, () -> Collection.load(compile("reject.c")));
        assertEquals(before, openBpfObjects(), "no map, program or BTF fd left open");
    }

    /** bpf objects (maps, programs, BTF, links) among this process's open fds. */
    private static int openBpfObjects() throws IOException {
        int n = 0;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("anon_inode:bpf")) n++;
                } catch (IOException gone) {
                    // the fd of the directory listing itself closes while we read
                }
            }
        }
        return n;
    }
}
