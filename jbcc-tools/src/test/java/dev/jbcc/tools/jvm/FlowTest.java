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
class FlowTest {
    static List<Path> jdks() throws Exception {
        return TargetJvm.jdks();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void eachCallEntersAndReturnsAtTheSameDepth(Path jdk) throws Exception {
        try (TargetJvm jvm = TargetJvm.start(jdk, "-XX:+DTraceMethodProbes");
             ToolRun run = Runs.started("jvm flow", "-C", "Workload", "-M", "jbccCalled", Long.toString(jvm.pid()))) {
            assertEquals("CPU PID     TID     TIME(s)  METHOD",
                    run.lines().isEmpty() ? run.await(Duration.ofSeconds(10)) + run.errors() : run.lines().getFirst());
            jvm.ask("calls 3");
            run.awaitLine(l -> l.endsWith("<- Workload.jbccCalled") && run.lines().stream().filter(x -> x.contains("<- ")).count() == 3,
                    Runs.EVENT);
            assertEquals(0, run.stop(Runs.READY));
            List<String> calls = run.lines().subList(1, run.lines().size());
            assertEquals(6, calls.size(), "3 entries, 3 returns, nothing else (-C, -M): " + run.output());
            String indent = null;
            for (int i = 0; i < 6; i++) {
                List<String> c = Runs.columns(calls.get(i), 5);
                assertEquals(Long.toString(jvm.pid()), c.get(1));
                assertEquals(Runs.columns(calls.getFirst(), 5).get(2), c.get(2), "one thread");
                String method = calls.get(i).substring(calls.get(i).indexOf(c.get(3)) + c.get(3).length() + 1);
                String arrow = i % 2 == 0 ? "-> " : "<- ";
                assertTrue(method.trim().equals(arrow + "Workload.jbccCalled"), calls.get(i));
                String lead = method.substring(0, method.indexOf(arrow));
                if (indent == null) indent = lead;
                assertEquals(indent, lead, "entered and returned at one depth: " + run.output());
            }
            assertTrue(indent.length() >= 2, "main and the workload's loop are below: " + run.output());
        }
    }

    @Test
    void json() throws Exception {
        try (TargetJvm jvm = TargetJvm.start(TargetJvm.jdks().getFirst(), "-XX:+DTraceMethodProbes");
             ToolRun run = Runs.started("jvm flow", "--json", "-M", "jbccCalled", "-p", Long.toString(jvm.pid()))) {
            jvm.ask("calls 1");
            var e = Runs.json(run.awaitLine(l -> l.contains("<- "), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no return: " + run.output() + run.errors())));
            assertEquals(jvm.pid(), e.get("pid").asLong());
            assertTrue(e.get("method").asText().trim().equals("<- Workload.jbccCalled"), e.toString());
        }
    }
}
