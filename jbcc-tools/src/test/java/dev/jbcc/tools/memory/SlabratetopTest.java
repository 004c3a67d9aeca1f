package dev.jbcc.tools.memory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** slabratetop while the test creates files: each new name takes an object of the dentry cache. */
@org.junit.jupiter.api.Tag("vm")
class SlabratetopTest {
    private static final int FILES = 2000;

    @TempDir
    Path dir;

    private void createFiles() throws Exception {
        for (int i = 0; i < FILES; i++) Files.createFile(dir.resolve("f" + i));
    }

    @Test
    void theDentryCacheGrowsByTheTestsFiles() throws Exception {
        try (ToolRun run = Runs.started("slabratetop", "-C", "-r", "1000", "3", "1")) {
            createFiles();
            assertEquals(0, run.await(Runs.READY), run.errors());
            List<String> lines = run.lines();
            assertTrue(lines.getFirst().matches("\\d\\d:\\d\\d:\\d\\d loadavg: [0-9. /]+"), lines.getFirst());
            assertEquals(String.format("%-32s %6s %10s", "CACHE", "ALLOCS", "BYTES"), lines.get(2));
            String dentry = lines.stream().filter(l -> l.startsWith("dentry ")).findFirst().orElseThrow(() -> new AssertionError(run.output()));
            List<String> c = Runs.columns(dentry, 3);
            assertTrue(Long.parseLong(c.get(1)) >= FILES, dentry);
            assertTrue(Long.parseLong(c.get(2)) >= FILES * 64L, "a dentry takes more than 64 bytes: " + dentry);
        }
    }

    @Test
    void jsonRowsSortedByBytes() throws Exception {
        try (ToolRun run = Runs.started("slabratetop", "--json", "2", "1")) {
            createFiles();
            assertEquals(0, run.await(Runs.READY), run.errors());
            long previous = Long.MAX_VALUE;
            boolean dentry = false;
            for (String line : run.lines()) {
                JsonNode r = Runs.json(line);
                assertTrue(r.get("bytes").asLong() <= previous, run.output());
                previous = r.get("bytes").asLong();
                dentry |= r.get("cache").asText().equals("dentry") && r.get("allocs").asLong() >= FILES;
            }
            assertTrue(dentry, run.output());
        }
    }
}
