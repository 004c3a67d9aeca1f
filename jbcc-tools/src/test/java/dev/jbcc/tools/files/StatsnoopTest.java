package dev.jbcc.tools.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatsnoopTest {
    @TempDir
    Path dir;

    @Test
    void showsTheTestsStatOfAFileThatExistsAndOneThatDoesNot() throws Exception {
        Path there = Files.writeString(dir.resolve("there-" + UUID.randomUUID()), "x");
        Path missing = dir.resolve("missing-" + UUID.randomUUID());
        String pid = String.valueOf(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("statsnoop", "-t", "-p", pid)) {
            assertEquals("TIME(s)       PID     COMM               FD ERR PATH", run.lines().getFirst());
            // (Files.exists asks access(2), not stat)
            assertEquals(1, Files.readAttributes(there, BasicFileAttributes.class).size());
            assertThrows(NoSuchFileException.class, () -> Files.readAttributes(missing, BasicFileAttributes.class));
            List<String> c = Runs.columns(line(run, there), 6);
            assertTrue(Double.parseDouble(c.get(0)) >= 0, c.toString());
            assertEquals(pid, c.get(1));
            assertEquals(List.of("0", "0", there.toString()), c.subList(3, 6));
            c = Runs.columns(line(run, missing), 6);
            assertEquals(List.of("-1", "2", missing.toString()), c.subList(3, 6), "ENOENT");
            assertEquals(0, run.stop(Runs.READY));
        }
    }

    @Test
    void failedOnlyAsJsonFromAnotherProcess() throws Exception {
        Path there = Files.writeString(dir.resolve("there-" + UUID.randomUUID()), "x");
        Path missing = dir.resolve("missing-" + UUID.randomUUID());
        try (ToolRun run = Runs.started("statsnoop", "--json", "-x")) {
            Runs.sh("/usr/bin/stat", there.toString());
            Runs.sh("/bin/sh", "-c", "/usr/bin/stat " + missing + " || true");
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains(missing.toString()), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no stat of " + missing + ": " + run.errors())));
            assertEquals("stat", e.get("comm").asText());
            assertEquals(2, e.get("err").asInt());
            assertEquals(-1, e.get("fd").asInt());
            assertTrue(run.lines().stream().noneMatch(l -> l.contains(there.toString())), "-x: no successful stat " + run.lines());
        }
    }

    private static String line(ToolRun run, Path path) throws InterruptedException {
        return run.awaitLine(l -> l.endsWith(" " + path), Runs.EVENT).orElseThrow(
                () -> new AssertionError("no stat of " + path + ": " + run.errors()));
    }
}
