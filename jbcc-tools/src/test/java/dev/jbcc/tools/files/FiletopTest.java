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

class FiletopTest {
    private static final int WRITES = 3, READS = 5;

    @TempDir
    Path dir;

    /** The test's I/O on its own file: WRITES writes of 4 KiB, READS reads of 2 KiB. */
    private String io() throws Exception {
        String name = "t-" + UUID.randomUUID().toString().substring(0, 8);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(name).toFile(), "rw")) {
            for (int i = 0; i < WRITES; i++) f.write(new byte[4096]);
            f.seek(0);
            for (int i = 0; i < READS; i++) f.readFully(new byte[2048]);
        }
        return name;
    }

    @Test
    void countsTheTestsReadsAndWritesOfItsFile() throws Exception {
        String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        String tid = self.substring(self.lastIndexOf('/') + 1);
        try (ToolRun run = Runs.started("filetop", "-C", "-p", String.valueOf(ProcessHandle.current().pid()), "1")) {
            String name = io();
            run.awaitLine(l -> l.endsWith(" R " + name), Runs.EVENT);
            assertEquals(0, run.stop(Runs.READY));
            long[] sums = new long[4];
            for (String l : run.lines()) {
                if (!l.endsWith(" R " + name)) continue;
                List<String> c = Runs.columns(l, 8);
                assertEquals(tid, c.get(0), l);
                for (int i = 0; i < 4; i++) sums[i] += Long.parseLong(c.get(i + 2));
            }
            assertEquals(List.of((long) READS, (long) WRITES, READS * 2L, WRITES * 4L), List.of(sums[0], sums[1], sums[2], sums[3]),
                    "READS WRITES R_Kb W_Kb of " + name + " in:\n" + run.output());
            assertTrue(run.output().contains("TID     COMM             READS  WRITES R_Kb    W_Kb    T FILE"), run.output());
            assertTrue(run.lines().stream().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d loadavg: .*")), run.output());
        }
    }

    @Test
    void jsonSortedByWrittenBytes() throws Exception {
        try (ToolRun run = Runs.started("filetop", "--json", "-s", "wbytes", "-r", "1", "-p",
                String.valueOf(ProcessHandle.current().pid()), "1", "2")) {
            String name = io();
            assertEquals(0, run.await(Runs.READY), run.errors());
            assertTrue(run.lines().size() <= 2, "one row per interval with -r 1: " + run.output());
            JsonNode e = run.lines().stream().map(Runs::json).filter(j -> j.get("file").asText().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no row for " + name + ": " + run.output()));
            assertEquals("R", e.get("t").asText());
            assertTrue(e.get("w_kb").asLong() > 0, e.toString());
        }
    }
}
