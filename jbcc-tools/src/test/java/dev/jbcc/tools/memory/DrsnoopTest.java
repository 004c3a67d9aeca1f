package dev.jbcc.tools.memory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.MemoryCgroup;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * drsnoop --memcg on reclaims the test causes: a file read into the page cache of its own cgroup,
 * four times the cgroup's limit. (Global direct reclaim needs the machine's memory to run short,
 * which a test must not do to its neighbours.)
 */
class DrsnoopTest {
    @TempDir
    Path dir;

    private Process readThrough(MemoryCgroup cg) throws Exception {
        Path file = dir.resolve("data");
        // written past the page cache, so that reading it fills the cgroup's
        Runs.sh("dd", "if=/dev/zero", "of=" + file, "bs=1M", "count=64", "oflag=direct", "status=none");
        Process p = cg.start("cat", file.toString());
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return p;
    }

    @Test
    void reclaimsOfTheTestsCgroup() throws Exception {
        try (MemoryCgroup cg = MemoryCgroup.create(16 << 20); ToolRun run = Runs.started("drsnoop", "--memcg", "-n", "cat")) {
            assertEquals(String.format("%-14s %-6s %8s %5s %5s", "COMM", "PID", "LAT(ms)", "PAGES", "MEMCG"), run.lines().getFirst());
            Process p = readThrough(cg);
            String line = run.awaitLine(l -> l.startsWith("cat ") && l.contains(" " + p.pid() + " "), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError(run.output() + run.errors()));
            List<String> c = Runs.columns(line, 5);
            assertEquals(p.pid(), Long.parseLong(c.get(1)));
            assertTrue(Double.parseDouble(c.get(2)) >= 0, line);
            assertTrue(Long.parseLong(c.get(3)) > 0, "a reclaim of clean page cache frees pages: " + line);
            assertEquals("yes", c.get(4));
        }
    }

    @Test
    void jsonForOneProcess() throws Exception {
        try (MemoryCgroup cg = MemoryCgroup.create(16 << 20); ToolRun run = Runs.started("drsnoop", "--json", "--memcg", "-U", "-u", "0", "-n", "cat")) {
            Process p = readThrough(cg);
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"pid\":" + p.pid()), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError(run.output() + run.errors())));
            assertEquals("cat", e.get("comm").asText());
            assertEquals(0, e.get("uid").asLong());
            assertTrue(e.get("pages").asLong() > 0, e.toString());
        }
    }
}
