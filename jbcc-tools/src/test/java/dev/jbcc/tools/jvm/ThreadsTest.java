package dev.jbcc.tools.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Child JVMs are the targets: like the examples' tests, these run on the host only. */
@Tag("examples")
class ThreadsTest {
    static List<Path> jdks() throws Exception {
        return TargetJvm.jdks();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aNamedThreadStartsAndStopsWithItsJavaAndNativeIds(Path jdk) throws Exception {
        String name = "jbcc-" + UUID.randomUUID();
        try (TargetJvm jvm = TargetJvm.start(jdk);
             ToolRun run = Runs.started("jvm threads", "-p", Long.toString(jvm.pid()))) {
            assertEquals("TIME     PID     JAVA-ID  NATIVE-ID TYPE   NAME",
                    run.lines().isEmpty() ? run.await(Duration.ofSeconds(10)) + run.errors() : run.lines().getFirst());
            String javaId = jvm.ask("thread " + name).substring("thread ".length());
            List<String> start = Runs.columns(run.awaitLine(l -> l.endsWith(" start  " + name), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no start of " + name + ": " + run.output() + run.errors())), 6);
            assertEquals(Long.toString(jvm.pid()), start.get(1));
            assertEquals(javaId, start.get(2), "the Java id Thread.getId() gives");
            assertNotEquals(start.get(1), start.get(3), "a native id of its own, not the process's");
            assertTrue(Path.of("/proc", start.get(1), "task").toFile().isDirectory());
            List<String> stop = Runs.columns(run.awaitLine(l -> l.endsWith(" stop   " + name), Runs.EVENT).orElseThrow(), 6);
            assertEquals(start.subList(1, 4), stop.subList(1, 4), "the same thread stops");
            assertEquals(0, run.stop(Runs.READY));
        }
    }

    @Test
    void jsonAndEveryJvmWithoutPid() throws Exception {
        String name = "jbcc-" + UUID.randomUUID();
        try (TargetJvm jvm = TargetJvm.start(TargetJvm.jdks().getFirst());
             ToolRun run = Runs.started("jvm threads", "--json")) {
            String javaId = jvm.ask("thread " + name).substring("thread ".length());
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains(name) && l.contains("\"start\""), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no start of " + name + ": " + run.output() + run.errors())));
            assertEquals(jvm.pid(), e.get("pid").asLong());
            assertEquals(Long.parseLong(javaId), e.get("java_id").asLong());
            assertTrue(e.get("native_id").asLong() > 0);
            assertEquals(name, e.get("name").asText());
        }
    }

    @Test
    void aProcessThatIsNoJvmIsOneLine() throws Exception {
        try (ToolRun run = ToolRun.start("jvm threads", "-p", "1")) {
            assertEquals(1, run.await(Runs.READY));
            assertTrue(run.errors().matches("jbcc: process 1 \\(.*\\) is not a HotSpot JVM: it maps no libjvm.so; give the PID of a java process \\(jbcc jvm lists them\\)"),
                    run.errors());
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void jfrFileHoldsTheThreadsStartAndEnd(Path jdk, @TempDir Path dir) throws Exception {
        String name = "jbcc-" + UUID.randomUUID();
        Path file = dir.resolve("threads.jfr");
        try (TargetJvm jvm = TargetJvm.start(jdk);
             ToolRun run = Runs.started("jvm threads", "--jfr", file.toString(), "-p", Long.toString(jvm.pid()))) {
            String javaId = jvm.ask("thread " + name).substring("thread ".length());
            List<String> start = Runs.columns(run.awaitLine(l -> l.endsWith(" start  " + name), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no start of " + name + ": " + run.output() + run.errors())), 6);
            run.awaitLine(l -> l.endsWith(" stop   " + name), Runs.EVENT).orElseThrow();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<RecordedEvent> mine = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> name.equals(e.getString("javaName"))).toList();
            assertEquals(List.of("jbcc.ThreadStart", "jbcc.ThreadEnd"), mine.stream().map(e -> e.getEventType().getName()).toList(),
                    mine.toString());
            for (RecordedEvent e : mine) {
                assertEquals(jvm.pid(), e.getInt("pid"));
                assertEquals(Long.parseLong(javaId), e.getLong("javaThreadId"), "the Java id Thread.getId() gives");
                assertEquals(Long.parseLong(start.get(3)), e.getLong("nativeThreadId"));
                assertFalse(e.getBoolean("daemon"));
            }
            String printed = Runs.sh(Path.of(System.getProperty("java.home"), "bin", "jfr").toString(),
                    "print", "--events", "jbcc.ThreadStart", file.toString());
            assertTrue(printed.contains("javaName = \"" + name + "\"") && printed.contains("javaThreadId = " + javaId), printed);
        }
    }
}
