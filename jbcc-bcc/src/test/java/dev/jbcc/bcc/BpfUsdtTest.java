package dev.jbcc.bcc;

import dev.jbcc.errors.CompileException;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.NativeBinaries.Child;
import dev.jbcc.usdt.UsdtProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** bcc's USDT contexts, against the HotSpot probes of a child JVM's libjvm.so. */
@ExtendWith(FdLeakCheck.class)
class BpfUsdtTest {
    static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));
    static final Path LIBJVM = JAVA_HOME.resolve("lib/server/libjvm.so");
    static final int THREADS = 4;

    static Child startWorkload() throws IOException {
        Path dir = Path.of("target", "usdt").toAbsolutePath();
        Files.createDirectories(dir);
        Path workload = dir.resolve("UsdtWorkload.java");
        Files.writeString(workload, BccTestSupport.resource("UsdtWorkload.java"));
        Child jvm = Child.start(List.of(JAVA_HOME.resolve("bin/java").toString(), "-Xshare:auto", workload.toString(),
                Integer.toString(THREADS)));
        return jvm;
    }

    /** Waits until the child has mapped {@code library} (a JVM starting under emulation takes a while). */
    static void awaitMapped(int pid, Path library) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Files.readString(Path.of("/proc", Integer.toString(pid), "maps")).contains("/" + library.getFileName())) return;
                Thread.sleep(20);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("child " + pid + " is gone", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        fail("child " + pid + " did not map " + library + " within 120 s");
    }

    /** The NUL-terminated names of a table keyed by struct name_t, with their u64 values. */
    static Map<String, Long> byName(HashTable table) {
        Map<String, Long> out = new HashMap<>();
        for (var e : table.items()) {
            byte[] bytes = e.getKey().field("text").toByteArray();
            int len = 0;
            while (len < bytes.length && bytes[len] != 0) len++;
            out.merge(new String(bytes, 0, len, StandardCharsets.UTF_8), e.getValue().value(), Long::sum);
        }
        return out;
    }

    @Test
    void threadStartAndStopArgumentsOfAChildJvmThroughReadargAndReadargP() throws IOException {
        try (Child jvm = startWorkload()) {
            awaitMapped(jvm.pid(), LIBJVM);
            USDT u = USDT.ofPid(jvm.pid());
            assertTrue(u.probes().stream().anyMatch(p -> p.qualifiedName().equals("hotspot:thread__start")),
                    "the child's libjvm.so has hotspot:thread__start");
            u.enableProbe("thread__start", "trace_thread_start");
            u.enableProbe("hotspot:thread__stop", "trace_thread_stop");
            assertEquals(List.of("trace_thread_start", "trace_thread_stop"),
                    u.enabledProbes().stream().map(USDT.Enabled::function).toList());
            try (BPF b = BPF.builder().text("usdt_threads.c", BccTestSupport.resource("usdt_threads.c"))
                    .usdtContexts(u).build()) {
                UsdtProbe start = u.enabledProbes().getFirst().probe();
                UsdtProbe stop = u.enabledProbes().get(1).probe();
                assertEquals(start.sites().size() + stop.sites().size(), b.numOpenUprobes(), "one uprobe per probe site");
                jvm.run();
                Map<String, Long> started = byName(b.get("started"));
                Map<String, Long> stopped = byName(b.get("stopped"));
                Map<String, Long> nativeIds = byName(b.get("native_ids"));
                for (int k = 0; k < THREADS; k++) {
                    String name = "bcc-usdt-thread-" + k;
                    assertEquals(1L, started.get(name), "thread__start read with bpf_usdt_readarg: " + started);
                    assertEquals(1L, stopped.get(name), "thread__stop read with bpf_usdt_readarg_p: " + stopped);
                    long tid = nativeIds.get(name);
                    assertTrue(tid > jvm.pid(), "argument 4, the native id of " + name + ", is a thread of the child: " + tid);
                }
                jvm.finish();
            }
        }
    }

    @Test
    void unknownProbeNamesTheProbeTheBinaryAndSimilarProbes() {
        USDT u = USDT.ofPath(LIBJVM);
        var e = assertThrows(NotFoundException.class, () -> u.enableProbe("thread__begin", "f"));
        assertTrue(e.getMessage().contains("'thread__begin'"), e.getMessage());
        assertTrue(e.getMessage().contains(LIBJVM.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("hotspot:thread__start"), e.getMessage());
        assertTrue(u.enabledProbes().isEmpty());
    }

    @Test
    void readargInAFunctionWithoutAProbeOrPastTheLastArgumentIsACompileErrorWithItsLine() {
        String text = """
                #include <uapi/linux/ptrace.h>
                int other(struct pt_regs *ctx) {
                    u64 v = 0;
                    bpf_usdt_readarg(1, ctx, &v);
                    return 0;
                }
                """;
        var e = assertThrows(CompileException.class, () -> BPF.builder().text("noprobe.c", text).build());
        assertTrue(e.getMessage().contains("noprobe.c:4"), e.getMessage());
        assertTrue(e.getMessage().contains("'other'") && e.getMessage().contains("enableProbe"), e.getMessage());

        USDT u = USDT.ofPath(LIBJVM).enableProbe("hotspot:thread__start", "other");
        int count = u.enabledProbes().getFirst().probe().argumentCount();
        String past = text.replace("readarg(1,", "readarg(" + (count + 1) + ",");
        var e2 = assertThrows(CompileException.class, () -> BPF.builder().text("past.c", past).usdtContexts(u).build());
        assertTrue(e2.getMessage().contains("past.c:4") && e2.getMessage().contains(count + " arguments"), e2.getMessage());
    }
}
