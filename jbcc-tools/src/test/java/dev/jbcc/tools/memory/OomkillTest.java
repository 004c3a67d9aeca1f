package dev.jbcc.tools.memory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.MemoryCgroup;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** oomkill on a process the test lets run out of its own cgroup's 32 MiB. */
class OomkillTest {
    private static Process outOfMemory(MemoryCgroup cg) throws Exception {
        Process p = cg.start("python3", "-c", "b = bytearray(512 << 20)");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the allocation did not end");
        assertEquals(137, p.exitValue(), "killed by SIGKILL: " + new String(p.getInputStream().readAllBytes()));
        return p;
    }

    @Test
    void showsTheKillOfTheTestsProcess() throws Exception {
        try (MemoryCgroup cg = MemoryCgroup.create(32 << 20); ToolRun run = Runs.started("oomkill")) {
            Process p = outOfMemory(cg);
            String line = run.awaitLine(l -> l.contains("OOM kill of PID " + p.pid() + " "), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError(run.output() + run.errors()));
            assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d Triggered by PID " + p.pid() + " \\(\"python3\"\\), OOM kill of PID " + p.pid()
                    + " \\(\"python3\"\\)(, \\d+ pages|, total-vm \\d+ kB)?, loadavg: [0-9. /]+"), line);
        }
    }

    @Test
    void json() throws Exception {
        try (MemoryCgroup cg = MemoryCgroup.create(32 << 20); ToolRun run = Runs.started("oomkill", "--json")) {
            Process p = outOfMemory(cg);
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"victim_pid\":" + p.pid()), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError(run.output() + run.errors())));
            assertEquals(p.pid(), e.get("trigger_pid").asLong());
            assertEquals("python3", e.get("victim_comm").asText());
        }
    }
}
