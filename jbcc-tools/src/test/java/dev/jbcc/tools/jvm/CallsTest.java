package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Child JVMs are the targets: like the examples' tests, these run on the host only. */
@Tag("examples")
class CallsTest {
    static List<Path> jdks() throws Exception {
        return TargetJvm.jdks();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void everyCallOfAMethodIsCountedWithItsTime(Path jdk) throws Exception {
        try (TargetJvm jvm = TargetJvm.start(jdk, "-XX:+DTraceMethodProbes");
             ToolRun run = Runs.started("jvm calls", "-L", "-p", Long.toString(jvm.pid()))) {
            jvm.ask("calls 1000");
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertEquals("METHOD                                              # CALLS TIME (us)", run.lines().get(1), run.output());
            String line = run.lines().stream().filter(l -> l.startsWith("Workload.jbccCalled ")).findFirst().orElseThrow(
                    () -> new AssertionError("no Workload.jbccCalled: " + run.output() + run.errors()));
            List<String> c = Runs.columns(line, 3);
            assertEquals("1000", c.get(1), line);
            assertTrue(Double.parseDouble(c.get(2)) > 0, line);
        }
    }

    @Test
    void jsonCountsAndTop() throws Exception {
        try (TargetJvm jvm = TargetJvm.start(TargetJvm.jdks().getFirst(), "-XX:+DTraceMethodProbes");
             ToolRun all = Runs.started("jvm calls", "--json", Long.toString(jvm.pid()));
             ToolRun top = Runs.started("jvm calls", "--json", "-T", "5", Long.toString(jvm.pid()))) {
            jvm.ask("calls 5000");
            assertEquals(0, all.stop(Runs.READY), all.errors());
            assertEquals(0, top.stop(Runs.READY), top.errors());
            var called = all.lines().stream().map(Runs::json).filter(e -> e.get("method").asText().equals("Workload.jbccCalled"))
                    .findFirst().orElseThrow(() -> new AssertionError("no Workload.jbccCalled: " + all.output()));
            assertEquals(5000, called.get("calls").asLong(), called.toString());
            List<Long> counts = top.lines().stream().map(l -> Runs.json(l).get("calls").asLong()).toList();
            assertEquals(5, counts.size(), "-T 5: " + top.output());
            assertEquals(counts.stream().sorted().toList(), counts, "the most called last, as bcc prints them");
            assertTrue(counts.getLast() >= 5000, top.output());
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void syscallsAreCountedByNameBesideTheMethods(Path jdk) throws Exception {
        try (TargetJvm jvm = TargetJvm.start(jdk, "-XX:+DTraceMethodProbes");
             ToolRun run = Runs.started("jvm calls", "-S", "-L", "-p", Long.toString(jvm.pid()))) {
            // each command is read from the JVM's stdin and answered on its stdout: a read and a write at least;
            // under -L a syscall counts when it returns, and the first read had begun before tracing did
            for (int i = 0; i < 3; i++) jvm.ask("calls 100");
            assertEquals(0, run.stop(Runs.READY), run.errors());
            for (String name : List.of("read", "write")) {
                long least = name.equals("read") ? 2 : 3;
                String line = run.lines().stream().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow(
                        () -> new AssertionError("no " + name + " syscall: " + run.output() + run.errors()));
                List<String> c = Runs.columns(line, 3);
                assertTrue(Long.parseLong(c.get(1)) >= least, line);
                assertTrue(Double.parseDouble(c.get(2)) > 0, line);
            }
            String called = run.lines().stream().filter(l -> l.startsWith("Workload.jbccCalled ")).findFirst().orElseThrow(
                    () -> new AssertionError("no Workload.jbccCalled: " + run.output()));
            assertEquals("300", Runs.columns(called, 3).get(1), called);
        }
    }

    @Test
    void syscallsWithoutAPidIsOneLine() throws Exception {
        try (ToolRun run = ToolRun.start("jvm calls", "-S")) {
            assertEquals(2, run.await(Runs.READY), run.errors());
            assertTrue(run.errors().contains("-S counts the syscalls of one JVM: give its PID (-p PID)"), run.errors());
        }
    }
}
