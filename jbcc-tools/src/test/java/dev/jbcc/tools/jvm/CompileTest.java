package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Child JVMs are the targets: like the examples' tests, these run on the host only. */
@Tag("examples")
class CompileTest {
    static List<Path> jdks() throws Exception {
        return TargetJvm.jdks();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aHotMethodIsCompiledWithItsCompilerAndDuration(Path jdk) throws Exception {
        try (TargetJvm jvm = TargetJvm.start(jdk);
             ToolRun run = Runs.started("jvm compile", "-p", Long.toString(jvm.pid()), "-n", "jbccHotMethod")) {
            assertEquals("TIME     PID     COMPILER   LAT(ms) OK  METHOD",
                    run.lines().isEmpty() ? run.await(Duration.ofSeconds(10)) + run.errors() : run.lines().getFirst());
            jvm.ask("hot");
            String line = run.awaitLine(l -> l.endsWith(" Workload.jbccHotMethod(I)J"), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no compilation of jbccHotMethod: " + run.output() + run.errors()));
            List<String> c = Runs.columns(line, 6);
            assertEquals(Long.toString(jvm.pid()), c.get(1));
            assertTrue(Set.of("C1", "C2").contains(c.get(2)), "HotSpot's compilers: " + line);
            assertTrue(Double.parseDouble(c.get(3)) > 0, line);
            assertEquals("yes", c.get(4));
            assertEquals(0, run.stop(Runs.READY));
        }
    }
}
