package dev.jbcc.tools.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileslowerTest {
    @TempDir
    Path dir;

    private static String tid() throws Exception {
        String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        return self.substring(self.lastIndexOf('/') + 1);
    }

    @Test
    void showsTheTestsWriteAndReadOfItsFileWithThresholdZero() throws Exception {
        String name = "f-" + UUID.randomUUID().toString().substring(0, 8);
        try (ToolRun run = Runs.started("fileslower", "-p", String.valueOf(ProcessHandle.current().pid()), "0")) {
            assertEquals("TIME(s)  COMM           TID    D BYTES   LAT(ms) FILENAME", run.lines().getFirst());
            try (RandomAccessFile f = new RandomAccessFile(dir.resolve(name).toFile(), "rw")) {
                f.write(new byte[1234]);   // write(2)
                f.seek(0);
                f.readFully(new byte[100]); // read(2)
            }
            String tid = tid();
            List<String> w = Runs.columns(line(run, " W ", name), 7);
            assertEquals(List.of(tid, "W", "1234", name), List.of(w.get(2), w.get(3), w.get(4), w.get(6)));
            assertTrue(Double.parseDouble(w.get(5)) >= 0 && Double.parseDouble(w.get(0)) >= 0, w.toString());
            List<String> r = Runs.columns(line(run, " R ", name), 7);
            assertEquals(List.of(tid, "R", "100", name), List.of(r.get(2), r.get(3), r.get(4), r.get(6)));
            assertEquals(0, run.stop(Runs.READY));
        }
    }

    @Test
    void longNamesAreCutAndFastIoIsLeftOutAboveTheThreshold() throws Exception {
        String name = "long-name-" + UUID.randomUUID();
        Path file = dir.resolve(name);
        try (ToolRun run = Runs.started("fileslower", "--json", "-p", String.valueOf(ProcessHandle.current().pid()), "0")) {
            Files.write(file, new byte[10]);
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains(name.substring(0, 20)), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no write of " + name + ": " + run.output() + run.errors())));
            assertEquals(name.substring(0, 28) + "...", e.get("filename").asText());
            assertEquals(10, e.get("bytes").asLong());
        }
        try (ToolRun run = Runs.started("fileslower", "-p", String.valueOf(ProcessHandle.current().pid()), "10000")) {
            Files.write(file, new byte[10]);
            Files.readAllBytes(file);
            assertEquals(0, run.stop(Runs.READY));
            assertEquals(1, run.lines().size(), "nothing takes 10 s: " + run.output());
        }
    }

    private static String line(ToolRun run, String mode, String name) throws InterruptedException {
        return run.awaitLine(l -> l.contains(mode) && l.endsWith(" " + name), Runs.EVENT).orElseThrow(
                () -> new AssertionError("no" + mode + "of " + name + ": " + run.output() + run.errors()));
    }
}
