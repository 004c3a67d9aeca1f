package dev.jbcc.tools.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Child JVMs are the targets: like the examples' tests, these run on the host only. */
@Tag("examples")
class StatTest {
    static List<Path> jdks() throws Exception {
        return TargetJvm.jdks();
    }

    /** Makes the workload start 3 threads, load 2 classes, collect once, call 1000 methods and allocate 1000 objects. */
    private static void work(TargetJvm jvm) throws Exception {
        for (int i = 0; i < 3; i++) jvm.ask("thread jbcc-" + UUID.randomUUID());
        for (int i = 0; i < 2; i++) jvm.ask("load JbccStat" + i + "_" + UUID.randomUUID().toString().replace('-', '_'));
        assertEquals("gc", jvm.ask("gc"));
        jvm.ask("calls 1000");
        jvm.ask("alloc 1000");
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aJvmsRowCountsWhatItDid(Path jdk) throws Exception {
        try (TargetJvm jvm = TargetJvm.start(jdk, "-XX:+DTraceMethodProbes", "-XX:+DTraceAllocProbes");
             ToolRun run = Runs.started("jvm stat", "-C", "-p", Long.toString(jvm.pid()), "1")) {
            work(jvm);
            Thread.sleep(1500);   // a whole interval after the work
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertTrue(run.lines().stream().anyMatch(l -> l.strip().equals("PID    CMDLINE              METHOD/s   GC/s   OBJNEW/s   CLOAD/s  EXC/s  THR/s")),
                    run.output());
            assertTrue(run.lines().stream().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d +loadavg: .*")), run.output());
            // per interval of 1 s, the rates are the counts: their sum is all the JVM did meanwhile
            long[] sums = new long[6];
            int rows = 0;
            for (String l : run.lines()) {
                if (!l.startsWith(jvm.pid() + " ")) continue;
                rows++;
                assertTrue(l.substring(7, 27).startsWith(jdk.resolve("bin/java").toString().substring(0, 20)), "CMDLINE: " + l);
                List<String> c = Arrays.asList(l.trim().split("\\s+"));
                List<String> numbers = c.subList(c.size() - 6, c.size());
                for (int i = 0; i < 6; i++) sums[i] += Long.parseLong(numbers.get(i));
            }
            assertTrue(rows >= 2, "a row every interval: " + run.output());
            assertTrue(sums[0] >= 1000, "METHOD/s: the 1000 calls at least: " + run.output());
            assertTrue(sums[1] >= 1, "GC/s: the System.gc(): " + run.output());
            assertTrue(sums[2] >= 1000, "OBJNEW/s: the 1000 objects at least: " + run.output());
            assertTrue(sums[3] >= 2, "CLOAD/s: the 2 classes at least: " + run.output());
            assertEquals(0, sums[4], "EXC/s: HotSpot has no probe");
            assertTrue(sums[5] >= 3, "THR/s: the 3 threads at least: " + run.output());
        }
    }

    @Test
    void jsonEveryJvmAndTheFlagsThatAreMissing() throws Exception {
        try (TargetJvm jvm = TargetJvm.start(TargetJvm.jdks().getFirst());
             ToolRun run = Runs.started("jvm stat", "--json", "1")) {
            assertTrue(run.errors().contains("JVM " + jvm.pid() + " (") && run.errors().contains("-XX:+DTraceMethodProbes")
                    && run.errors().contains("METHOD/s stays 0"), run.errors());
            work(jvm);
            Thread.sleep(1500);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<JsonNode> mine = run.lines().stream().map(Runs::json).filter(o -> o.get("pid").asLong() == jvm.pid()).toList();
            assertTrue(mine.size() >= 2, "one object per interval: " + run.output());
            assertTrue(run.lines().stream().map(Runs::json).noneMatch(o -> o.get("pid").asLong() == ProcessHandle.current().pid()),
                    "not jbcc's own JVM: " + run.output());
            assertEquals(0, mine.stream().mapToLong(o -> o.get("method_s").asLong()).sum(), "no method probes without the flag");
            assertTrue(mine.stream().mapToLong(o -> o.get("gc_s").asLong()).sum() >= 1, run.output());
            assertTrue(mine.stream().mapToLong(o -> o.get("cload_s").asLong()).sum() >= 2, run.output());
            assertTrue(mine.stream().mapToLong(o -> o.get("thr_s").asLong()).sum() >= 3, run.output());
            assertTrue(mine.getFirst().get("cmdline").asText().endsWith("Workload.java"), mine.getFirst().toString());
        }
    }

    @Test
    void anUnknownSortIsOneLine() throws Exception {
        try (ToolRun run = ToolRun.start("jvm stat", "-S", "bogus")) {
            assertEquals(2, run.await(Runs.READY), run.errors());
            assertTrue(run.errors().contains("-S bogus: sort by one of cload, excp, gc, method, objnew, thread"), run.errors());
        }
    }
}
