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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Child JVMs are the targets: like the examples' tests, these run on the host only. */
@Tag("examples")
class GcTest {
    static List<Path> jdks() throws Exception {
        return TargetJvm.jdks();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void systemGcIsACollectionWithItsCauseDurationAndHeap(Path jdk) throws Exception {
        // A G1 heap that System.gc() shrinks: 64 MB kept until then.
        try (TargetJvm jvm = TargetJvm.start(jdk, "-XX:+UseG1GC", "-Xmx256m");
             ToolRun run = Runs.started("jvm gc", "-p", Long.toString(jvm.pid()))) {
            assertEquals("START    PID     TIME(us)  BEFORE(KB) AFTER(KB)  CAUSE                    COLLECTOR",
                    run.lines().isEmpty() ? run.await(Duration.ofSeconds(10)) + run.errors() : run.lines().getFirst());
            jvm.ask("keep 64");
            assertEquals("gc", jvm.ask("gc"));
            String line = run.awaitLine(l -> l.contains("System.gc()"), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no System.gc() collection: " + run.output() + run.errors()));
            List<String> c = Runs.columns(line, 7);
            assertEquals(Long.toString(jvm.pid()), c.get(1));
            assertTrue(Double.parseDouble(c.get(2)) > 0, line);
            long before = Long.parseLong(c.get(3)), after = Long.parseLong(c.get(4));
            assertTrue(before >= 64 * 1024, "the 64 MB kept were in the heap before: " + line);
            assertTrue(after <= before - 48 * 1024, "the collection freed them: " + line);
            assertTrue(c.get(6).startsWith("G1 "), "G1's collector: " + line);
            assertEquals(0, run.stop(Runs.READY));
        }
    }

    @Test
    void jsonWithMillisecondsAndAFilter() throws Exception {
        try (TargetJvm jvm = TargetJvm.start(TargetJvm.jdks().getFirst(), "-XX:+UseSerialGC", "-Xmx128m");
             ToolRun run = Runs.started("jvm gc", "--json", "-m", "-F", "System", Long.toString(jvm.pid()))) {
            jvm.ask("keep 16");
            jvm.ask("gc");
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("System.gc()"), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no System.gc() collection: " + run.output() + run.errors())));
            assertEquals(jvm.pid(), e.get("pid").asLong());
            assertTrue(e.get("time_ms").asDouble() > 0, e.toString());
            assertTrue(e.get("before_kb").asLong() >= 16 * 1024, e.toString());
            assertTrue(e.get("after_kb").asLong() < e.get("before_kb").asLong(), e.toString());
            assertTrue(e.get("collector").asText().endsWith("(full)"), "Serial's System.gc() is a full collection: " + e);
            assertTrue(run.lines().stream().allMatch(l -> l.contains("System.gc()")), "-F keeps only those: " + run.output());
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void jfrFileHoldsTheCollection(Path jdk, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("gc.jfr");
        try (TargetJvm jvm = TargetJvm.start(jdk, "-XX:+UseSerialGC", "-Xmx128m");
             ToolRun run = Runs.started("jvm gc", "--jfr", file.toString(), "-F", "System", Long.toString(jvm.pid()))) {
            jvm.ask("keep 16");
            jvm.ask("gc");
            List<String> line = Runs.columns(run.awaitLine(l -> l.contains("System.gc()"), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no System.gc() collection: " + run.output() + run.errors())), 7);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream().filter(e -> e.getInt("pid") == jvm.pid()).toList();
            assertEquals(1, events.size(), "the one collection -F kept: " + events);
            RecordedEvent e = events.getFirst();
            assertEquals("jbcc.GarbageCollection", e.getEventType().getName());
            assertEquals(jvm.pid(), e.getInt("pid"));
            assertEquals("System.gc()", e.getString("cause"));
            assertTrue(e.getBoolean("full"), "Serial's System.gc() is full: " + e);
            assertEquals(line.get(6), e.getString("collector") + " (full)");
            assertEquals(Double.parseDouble(line.get(2)), e.getDuration("collectionDuration").toNanos() / 1e3, 0.01, "TIME(us) " + line.get(2) + ": " + e);
            assertEquals(Long.parseLong(line.get(3)), e.getLong("heapBefore") / 1024, e.toString());
            assertEquals(Long.parseLong(line.get(4)), e.getLong("heapAfter") / 1024, e.toString());
            assertTrue(e.getLong("heapBefore") >= 16L << 20, "the 16 MB kept: " + e);
            // the JDK's own reader agrees
            String printed = Runs.sh(Path.of(System.getProperty("java.home"), "bin", "jfr").toString(),
                    "print", "--events", "jbcc.GarbageCollection", file.toString());
            assertTrue(printed.contains("jbcc.GarbageCollection {") && printed.contains("pid = " + jvm.pid())
                    && printed.contains("cause = \"System.gc()\""), printed);
        }
    }

    @Test
    void jfrIntoAMissingDirectoryIsOneLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("none/gc.jfr");
        try (ToolRun run = ToolRun.start("jvm gc", "--jfr", file.toString(), "-p", Long.toString(ProcessHandle.current().pid()))) {
            assertEquals(1, run.await(Runs.READY));
            assertEquals("jbcc: --jfr " + file + ": no directory " + file.getParent() + "; create it, or give another file",
                    run.errors().strip());
        }
    }
}
