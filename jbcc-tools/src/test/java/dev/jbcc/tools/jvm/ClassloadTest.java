package dev.jbcc.tools.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Child JVMs are the targets: like the examples' tests, these run on the host only. */
@Tag("examples")
class ClassloadTest {
    static List<Path> jdks() throws Exception {
        return TargetJvm.jdks();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aClassDefinedByAFreshLoaderIsLoadedByThatLoader(Path jdk) throws Exception {
        String name = "jbcc/test/C" + UUID.randomUUID().toString().replace("-", "");
        String dotted = name.replace('/', '.');
        try (TargetJvm jvm = TargetJvm.start(jdk);
             ToolRun run = Runs.started("jvm classload", "-p", Long.toString(jvm.pid()), "-n", "^jbcc\\.test\\.")) {
            assertEquals("TIME     PID     TYPE   LOADER             SHARED CLASS",
                    run.lines().isEmpty() ? run.await(Duration.ofSeconds(10)) + run.errors() : run.lines().getFirst());
            assertEquals("load " + dotted, jvm.ask("load " + name));
            List<String> c = Runs.columns(run.awaitLine(l -> l.endsWith(" " + dotted), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no load of " + dotted + ": " + run.output() + run.errors())), 6);
            assertEquals(Long.toString(jvm.pid()), c.get(1));
            assertEquals("load", c.get(2));
            assertTrue(c.get(3).matches("0x[0-9a-f]+") && !c.get(3).equals("0x0"), "the loader's data: " + c.get(3));
            assertEquals("no", c.get(4), "defined at run time: not from the CDS archive");
            String second = name + "x";
            jvm.ask("load " + second);
            List<String> d = Runs.columns(run.awaitLine(l -> l.endsWith(" " + second.replace('/', '.')), Runs.EVENT).orElseThrow(), 6);
            assertNotEquals(c.get(3), d.get(3), "each class has a fresh loader");
            assertTrue(run.lines().stream().skip(1).allMatch(l -> l.contains(" jbcc.test.")), "-n filters: " + run.output());
            assertEquals(0, run.stop(Runs.READY));
        }
    }

    @org.junit.jupiter.api.Test
    void json() throws Exception {
        String name = "jbcc/test/J" + UUID.randomUUID().toString().replace("-", "");
        try (TargetJvm jvm = TargetJvm.start(TargetJvm.jdks().getFirst());
             ToolRun run = Runs.started("jvm classload", "--json", "-p", Long.toString(jvm.pid()))) {
            jvm.ask("load " + name);
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains(name.replace('/', '.')), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no load: " + run.output() + run.errors())));
            assertEquals(jvm.pid(), e.get("pid").asLong());
            assertEquals("load", e.get("type").asText());
            assertEquals(name.replace('/', '.'), e.get("class").asText());
        }
    }
}
