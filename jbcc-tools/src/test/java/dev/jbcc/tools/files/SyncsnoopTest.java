package dev.jbcc.tools.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyncsnoopTest {
    @TempDir
    Path dir;

    @Test
    void showsTheTestsFsyncAndFdatasync() throws Exception {
        long pid = ProcessHandle.current().pid();
        try (ToolRun run = Runs.started("syncsnoop")) {
            assertEquals("TIME(s)            PID     COMM             CALL", run.lines().getFirst());
            try (FileChannel f = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                f.write(ByteBuffer.wrap(new byte[] {1}));
                f.force(true);  // fsync(2)
                f.force(false); // fdatasync(2)
            }
            String fsync = mine(run, pid, "fsync()");
            String fdatasync = mine(run, pid, "fdatasync()");
            List<String> a = Runs.columns(fsync, 4), b = Runs.columns(fdatasync, 4);
            assertTrue(Double.parseDouble(a.get(0)) <= Double.parseDouble(b.get(0)), "in order: " + a + " " + b);
            assertEquals(0, run.stop(Runs.READY));
        }
    }

    @Test
    void json() throws Exception {
        try (ToolRun run = Runs.started("syncsnoop", "--json")) {
            Process p = new ProcessBuilder("/bin/sync", dir.toString()).start();
            assertEquals(0, p.waitFor());
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"pid\":" + p.pid() + ","), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no sync from " + p.pid() + ": " + run.output() + run.errors())));
            assertEquals("sync", e.get("comm").asText());
            assertTrue(e.get("call").asText().matches("(sync|syncfs|fsync)\\(\\)"), "sync(1) with a path uses syncfs or fsync: " + e);
            assertTrue(e.get("time_s").asDouble() > 0, e.toString());
        }
    }

    private static String mine(ToolRun run, long pid, String call) throws InterruptedException {
        return run.awaitLine(l -> l.matches("\\S+\\s+" + pid + "\\s.*") && l.endsWith(" " + call), Runs.EVENT).orElseThrow(
                () -> new AssertionError("no " + call + " from " + pid + ": " + run.output() + run.errors()));
    }
}
