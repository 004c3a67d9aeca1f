package dev.jbcc.link;

import dev.jbcc.BpfMap;
import dev.jbcc.Collection;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.HostKernelOnly;
import dev.jbcc.testing.NativeBinaries.Child;
import dev.jbcc.testing.NativeBinaries;
import dev.jbcc.usdt.Usdt;
import dev.jbcc.usdt.UsdtCodegen;
import dev.jbcc.usdt.UsdtProbe;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** USDT probes fired by a C binary built with {@code <sys/sdt.h>} and by a child JVM's libjvm.so. */
@ExtendWith(FdLeakCheck.class)
class UsdtLinkTest {
    static final int ROUNDS = 20;
    static final Path JAVA_HOME = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    static final Path LIBJVM = JAVA_HOME.resolve("lib/server/libjvm.so");
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    static Path target;

    @BeforeAll
    static void build() {
        target = NativeBinaries.gcc("/usdt/sdt_target.c", "sdt_target", "-O2", "-g");
    }

    static String resource(String name) {
        try (InputStream in = UsdtLinkTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CollectionSpec compile(String name, String text) {
        byte[] elf = ClangCompiler.create().compile(Source.of(name, text),
                List.of("-idirafter", "/usr/include/x86_64-linux-gnu")).elf();
        return ObjectReader.read(elf);
    }

    static Child child() {
        return Child.start(List.of(target.toString(), Integer.toString(ROUNDS)));
    }

    /** One jbcc:tick firing as the program recorded it. */
    record Tick(long small, long medium, long global, long constant, long cookie, long argCount, String name) {
        static Tick read(MemorySegment v) {
            byte[] name = v.asSlice(48, 8).toArray(ValueLayout.JAVA_BYTE);
            int len = 0;
            while (len < name.length && name[len] != 0) len++;
            return new Tick(v.get(U64, 0), v.get(U64, 8), v.get(U64, 16), v.get(U64, 24), v.get(U64, 32), v.get(U64, 40),
                    new String(name, 0, len, StandardCharsets.US_ASCII));
        }
    }

    static Map<Long, Tick> ticks(BpfMap map) {
        Map<Long, Tick> result = new HashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(map.valueSize(), 8);
            for (MemorySegment key : map.keys()) {
                assertTrue(map.lookup(key, value));
                result.put(key.get(U64, 0), Tick.read(value));
            }
        }
        return result;
    }

    /** Checks every firing of both sites against what sdt_target.c passes (computed here from its loop). */
    static void assertTicks(Map<Long, Tick> ticks, long cookie, boolean checkArgCount) {
        assertEquals(2 * ROUNDS, ticks.size(), "every firing of both sites: " + ticks.keySet());
        for (int round = 0; round < ROUNDS; round++) {
            for (int site = 0; site < 2; site++) {
                long i = site == 0 ? round : ROUNDS + round;
                Tick t = ticks.get(i);
                assertNotNull(t, "firing with i = " + i);
                assertEquals((byte) -i, t.small(), "1-byte signed argument, i = " + i);
                assertEquals((short) (i * 100), t.medium(), "2-byte argument, i = " + i);
                assertEquals(site == 0 ? 1000 + round : 1000 + ROUNDS + round, t.global(), "the global through %rip, i = " + i);
                assertEquals(42, t.constant(), "immediate");
                assertEquals(site == 0 ? "alpha" : "bravo", t.name(), "string pointer, i = " + i);
                if (checkArgCount) {
                    assertEquals(cookie, t.cookie(), "bpf_usdt_cookie()");
                    assertEquals(6, t.argCount(), "bpf_usdt_arg_cnt()");
                }
            }
        }
    }

    @Test
    void libbpfUsdtHeaderReadsEveryArgumentKindAtBothSitesAndTheKernelManagesTheSemaphore() {
        UsdtProbe tick = Usdt.probe(target, "jbcc", "tick");
        assertEquals(2, tick.sites().size());
        assertNotEquals(tick.sites().get(0).arguments(), tick.sites().get(1).arguments(), "the sites differ");
        assertTrue(Usdt.probe(target, "jbcc", "guarded").hasSemaphore());

        try (Collection c = Collection.load(compile("tick_libbpf.bpf.c", resource("/usdt/tick_libbpf.bpf.c")));
             Child child = child()) {
            try (UsdtLink ticks = UsdtLink.attach(c, "on_tick",
                    UsdtOptions.of(target.toString(), "jbcc", "tick").withPid(child.pid()).withCookie(77));
                 UsdtLink guarded = UsdtLink.attach(c, "on_guarded",
                         UsdtOptions.of(target.toString(), "jbcc", "guarded").withPid(child.pid()))) {
                assertEquals(2, ticks.links().size(), "one uprobe per site");
                assertEquals(1, guarded.links().size());
                List<String> printed = child.run();
                assertEquals("1", printed.getFirst(), "the kernel raised the semaphore to 1 while attached");
                assertTicks(ticks(c.map("ticks")), 77, true);
                long expectedSum = 0;
                for (int i = 0; i < ROUNDS; i++) expectedSum += i;
                assertEquals(ROUNDS, c.variable("guarded_calls").get(U64, 0), "the guarded probe fired every round");
                assertEquals(expectedSum, c.variable("guarded_sum").get(U64, 0));
                child.finish();
            }
        }
    }

    @Test
    @HostKernelOnly("uprobe_multi links: Linux 6.6")
    void usdtThroughOneUprobeMultiLinkAndThroughTracefsWithASemaphore() {
        String multi = resource("/usdt/tick_libbpf.bpf.c").replace("SEC(\"usdt\")\nint BPF_USDT(on_tick",
                "SEC(\"uprobe.multi\")\nint BPF_USDT(on_tick");
        assertNotEquals(resource("/usdt/tick_libbpf.bpf.c"), multi);
        try (Collection c = Collection.load(compile("tick_multi.bpf.c", multi)); Child child = child()) {
            try (UsdtLink ticks = UsdtLink.attach(c, "on_tick",
                    UsdtOptions.of(target.toString(), "jbcc", "tick").withPid(child.pid()).withCookie(5));
                 UsdtLink guarded = UsdtLink.attach(c, "on_guarded", UsdtOptions.of(target.toString(), "jbcc", "guarded")
                         .withPid(child.pid()).withMethod(UprobeOptions.Method.TRACEFS))) {
                assertEquals(1, ticks.links().size());
                assertEquals(UprobeLink.Mechanism.UPROBE_MULTI, ticks.links().getFirst().mechanism());
                assertEquals(UprobeLink.Mechanism.TRACEFS_LINK, guarded.links().getFirst().mechanism());
                assertEquals("1", child.run().getFirst(), "tracefs passed the semaphore as (ref_ctr_offset)");
                assertTicks(ticks(c.map("ticks")), 5, true);
                assertEquals(ROUNDS, c.variable("guarded_calls").get(U64, 0));
                child.finish();
            }
        }
    }

    @Test
    void semaphoreIsZeroWithoutATracerAndAfterClose() {
        try (Collection c = Collection.load(compile("tick_libbpf.bpf.c", resource("/usdt/tick_libbpf.bpf.c")));
             Child before = child(); Child during = child()) {
            assertEquals("0", before.run().getFirst(), "nobody attached: the guarded probe is off");
            before.finish();
            UsdtLink guarded = UsdtLink.attach(c, "on_guarded",
                    UsdtOptions.of(target.toString(), "jbcc", "guarded"));
            guarded.close();
            assertEquals("0", during.run().getFirst(), "after close the kernel dropped the semaphore again");
            during.finish();
            assertEquals(0, c.variable("guarded_calls").get(U64, 0));
        }
    }

    @Test
    void generatedCReadersSwitchOnTheSiteCookie() {
        UsdtProbe tick = Usdt.probe(target, "jbcc", "tick");
        String readers = UsdtCodegen.readers(tick, "tick");
        String program = """
                #include <linux/bpf.h>
                #include <linux/ptrace.h>
                #include <bpf/bpf_helpers.h>

                %s
                struct tick { long small, medium, global, constant, cookie, arg_count; char name[8]; };
                struct {
                	__uint(type, BPF_MAP_TYPE_HASH);
                	__uint(max_entries, 1024);
                	__type(key, long);
                	__type(value, struct tick);
                } ticks SEC(".maps");

                SEC("usdt")
                int on_tick(struct pt_regs *ctx)
                {
                	struct tick t = {};
                	long i = -1, name = 0;
                	signed char small;
                	short medium;

                	if (_bpf_readarg_tick_1(ctx, &i, sizeof(i)) || _bpf_readarg_tick_2(ctx, &small, sizeof(small))
                	    || _bpf_readarg_tick_3(ctx, &medium, sizeof(medium))
                	    || _bpf_readarg_tick_4(ctx, &t.global, sizeof(t.global))
                	    || _bpf_readarg_tick_5(ctx, &t.constant, sizeof(t.constant))
                	    || _bpf_readarg_tick_6(ctx, &name, sizeof(name)))
                		return 0;
                	t.small = small;
                	t.medium = medium;
                	bpf_probe_read_user_str(t.name, sizeof(t.name), (const void *)name);
                	bpf_map_update_elem(&ticks, &i, &t, BPF_ANY);
                	return 0;
                }

                char LICENSE[] SEC("license") = "GPL";
                """.formatted(readers);
        try (Collection c = Collection.load(compile("tick_codegen.bpf.c", program)); Child child = child()) {
            try (UsdtLink link = UsdtLink.attach(c.program("on_tick"),
                    UsdtOptions.of(target.toString(), "jbcc", "tick").withPid(child.pid()))) {
                child.run();
                assertTicks(ticks(c.map("ticks")), 0, false);
                child.finish();
            }
        }
    }

    @Test
    void indexedAddressingThroughGeneratedReadersAndAClearRefusalFromTheLibbpfLayout() {
        UsdtProbe sib = Usdt.probe(target, "jbcc", "sib");
        String program = """
                #include <linux/bpf.h>
                #include <linux/ptrace.h>
                #include <bpf/bpf_helpers.h>

                %s
                __u64 calls, sum;

                SEC("usdt")
                int on_sib(struct pt_regs *ctx)
                {
                	long i;
                	int element;

                	if (_bpf_readarg_sib_1(ctx, &i, sizeof(i)) || _bpf_readarg_sib_2(ctx, &element, sizeof(element)))
                		return 0;
                	__sync_fetch_and_add(&calls, 1);
                	__sync_fetch_and_add(&sum, element);
                	return 0;
                }

                char LICENSE[] SEC("license") = "GPL";
                """.formatted(UsdtCodegen.readers(sib, "sib"));
        try (Collection c = Collection.load(compile("sib.bpf.c", program)); Child child = child()) {
            try (UsdtLink link = UsdtLink.attach(c.program("on_sib"),
                    UsdtOptions.of(target.toString(), "jbcc", "sib").withPid(child.pid()))) {
                child.run();
                child.finish();
            }
            long expected = 0;
            for (int i = 0; i < ROUNDS; i++) expected += (long) (i % 64) * (i % 64) + 3;
            assertEquals(ROUNDS, c.variable("calls").get(U64, 0));
            assertEquals(expected, c.variable("sum").get(U64, 0), "t[i] read through base + index * 4");
        }
        try (Collection c = Collection.load(compile("tick_libbpf.bpf.c", resource("/usdt/tick_libbpf.bpf.c")))) {
            var e = assertThrows(IllegalArgumentException.class, () -> UsdtLink.attach(c, "on_tick",
                    UsdtOptions.of(target.toString(), "jbcc", "sib")));
            assertTrue(e.getMessage().contains("indexed addressing") && e.getMessage().contains("UsdtCodegen"), e.getMessage());
        }
    }

    @Test
    void unknownProbeNamesWhatTheBinaryHas() {
        try (Collection c = Collection.load(compile("tick_libbpf.bpf.c", resource("/usdt/tick_libbpf.bpf.c")))) {
            var e = assertThrows(NotFoundException.class, () -> UsdtLink.attach(c, "on_tick",
                    UsdtOptions.of(target.toString(), "jbcc", "tock")));
            assertTrue(e.getMessage().contains("jbcc:tock") && e.getMessage().contains(target.toString())
                    && e.getMessage().contains("jbcc"), e.getMessage());
            var none = assertThrows(NotFoundException.class, () -> UsdtLink.attach(c, "on_tick",
                    UsdtOptions.of(NativeBinaries.gcc("/uprobe/target.c", "no_probes", "-O0").toString(), "jbcc", "tick")));
            assertTrue(none.getMessage().contains(".note.stapsdt"), none.getMessage());
        }
    }

    // ---- HotSpot ----

    static Map<String, Long> names(BpfMap map) {
        Map<String, Long> result = new HashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(8, 8);
            for (MemorySegment key : map.keys()) {
                assertTrue(map.lookup(key, value));
                byte[] bytes = key.toArray(ValueLayout.JAVA_BYTE);
                int len = 0;
                while (len < bytes.length && bytes[len] != 0) len++;
                result.put(new String(bytes, 0, len, StandardCharsets.UTF_8), value.get(U64, 0));
            }
        }
        return result;
    }

    @Test
    void hotspotThreadStartClassLoadedAndGcBeginInAChildJvm() throws IOException {
        List<UsdtProbe> probes = Usdt.probes(LIBJVM);
        assertTrue(probes.stream().mapToInt(p -> p.sites().size()).sum() > 500, "libjvm.so has 500+ probe sites");
        for (String name : List.of("thread__start", "class__loaded", "gc__begin")) {
            UsdtProbe p = Usdt.find(probes, LIBJVM.toString(), "hotspot", name);
            assertFalse(p.hasSemaphore(), "HotSpot does not guard " + name + " with a semaphore");
        }

        Path dir = Path.of("target", "native").toAbsolutePath();
        Files.createDirectories(dir);
        Path workload = dir.resolve("HotspotWorkload.java");
        Files.writeString(workload, resource("/usdt/HotspotWorkload.java"));

        try (Collection c = Collection.load(compile("hotspot.bpf.c", resource("/usdt/hotspot.bpf.c")));
             Child jvm = Child.start(List.of(JAVA_HOME.resolve("bin/java").toString(), "-Xshare:auto", workload.toString()))) {
            String lib = LIBJVM.toString();
            try (UsdtLink threads = UsdtLink.attach(c, "thread_start",
                    UsdtOptions.of(lib, "hotspot", "thread__start").withPid(jvm.pid()));
                 UsdtLink classes = UsdtLink.attach(c, "class_loaded",
                         UsdtOptions.of(lib, "hotspot", "class__loaded").withPid(jvm.pid()));
                 UsdtLink gc = UsdtLink.attach(c.program("gc_begin"),
                         UsdtOptions.of(lib, "hotspot", "gc__begin").withPid(jvm.pid()))) {
                assertEquals(2, gc.links().size(), "gc__begin has two sites in this libjvm.so");
                jvm.run();
                Map<String, Long> started = names(c.map("threads"));
                for (int k = 0; k < 3; k++) {
                    assertEquals(1L, started.get("jbcc-probe-thread-" + k), "thread__start for our thread " + k + ": " + started);
                }
                Map<String, Long> loaded = names(c.map("classes"));
                assertTrue(loaded.containsKey("HotspotWorkload$JbccMarkerClass"),
                        "class__loaded for the marker class among " + loaded.size() + " classes");
                assertTrue(c.variable("gc_begins").get(U64, 0) >= 1, "System.gc() fired gc__begin");
                jvm.finish();
            }
        }
    }
}
