package dev.jbcc.tools.memory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** shmsnoop on a segment the test creates with ipcmk and removes with ipcrm (util-linux). */
class ShmsnoopTest {
    /** Creates a segment of {@code size} bytes; its id. */
    private static long create(int size) throws Exception {
        Matcher m = Pattern.compile("Shared memory id: (\\d+)").matcher(Runs.sh("ipcmk", "-M", String.valueOf(size), "-p", "0640"));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    @Test
    void shmgetAndShmctlOfTheTestsSegment() throws Exception {
        try (ToolRun run = Runs.started("shmsnoop", "-n", "ipc")) {
            assertEquals(String.format("%-6s %-16s %6s %16s %s", "PID", "COMM", "SYS", "RET", "ARGs"), run.lines().getFirst());
            long id = create(12288);
            String get = run.awaitLine(l -> l.contains("SHMGET") && l.contains("size: 12288,"), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError(run.output() + run.errors()));
            assertTrue(get.matches("\\d+ +ipcmk +SHMGET +" + Long.toHexString(id) + " key: 0x[0-9a-f]+, size: 12288, shmflg: 0x3a0 \\(IPC_CREAT\\|0640\\)"), get);
            Runs.sh("ipcrm", "-m", String.valueOf(id));
            String ctl = run.awaitLine(l -> l.contains("SHMCTL") && l.contains("shmid: 0x" + Long.toHexString(id) + ", cmd: 0,"), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError(run.output() + run.errors()));
            assertTrue(ctl.matches("\\d+ +ipcrm +SHMCTL +0 shmid: 0x[0-9a-f]+, cmd: 0, buf: 0x0"), ctl);
        }
    }

    @Test
    void jsonWithTimestamps() throws Exception {
        try (ToolRun run = Runs.started("shmsnoop", "--json", "-T", "-n", "ipcmk")) {
            long id = create(8192);
            String line = run.awaitLine(l -> l.contains("size: 8192,"), Runs.EVENT).orElseThrow(() -> new AssertionError(run.output() + run.errors()));
            JsonNode e = Runs.json(line);
            assertEquals("SHMGET", e.get("sys").asText());
            assertEquals(id, e.get("ret").asLong());
            assertEquals("ipcmk", e.get("comm").asText());
            assertTrue(e.get("time_s").asDouble() >= 0, line);
            Runs.sh("ipcrm", "-m", String.valueOf(id));
        }
    }
}
