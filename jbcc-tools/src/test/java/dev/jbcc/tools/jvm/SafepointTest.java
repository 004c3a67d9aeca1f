package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Child JVMs are the targets: like the examples' tests, these run on the host only. */
@Tag("examples")
class SafepointTest {
    static List<Path> jdks() throws Exception {
        return TargetJvm.jdks();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void systemGcIsAVmOperationAtASafepoint(Path jdk) throws Exception {
        try (TargetJvm jvm = TargetJvm.start(jdk, "-XX:+UseG1GC");
             ToolRun run = Runs.started("jvm safepoint", "-p", Long.toString(jvm.pid()))) {
            assertEquals("TIME     PID        LAT(us) SAFEPOINT OPERATION",
                    run.lines().isEmpty() ? run.await(Duration.ofSeconds(10)) + run.errors() : run.lines().getFirst());
            jvm.ask("gc");
            // G1 runs System.gc() as its VM operation G1CollectFull
            List<String> c = Runs.columns(run.awaitLine(l -> l.endsWith(" G1CollectFull"), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no G1CollectFull: " + run.output() + run.errors())), 5);
            assertEquals(Long.toString(jvm.pid()), c.get(1));
            assertTrue(Double.parseDouble(c.get(2)) > 0, c.toString());
            assertEquals("yes", c.get(3), "a full collection stops the Java threads");
            assertEquals(0, run.stop(Runs.READY));
        }
    }
}
