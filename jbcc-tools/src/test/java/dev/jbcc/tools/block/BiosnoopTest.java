package dev.jbcc.tools.block;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.LoopDevice;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** biosnoop on a loop device of the test's own, with O_DIRECT reads and writes by dd. */
class BiosnoopTest {
    @RegisterExtension
    final LoopDevice.PerTest loop = new LoopDevice.PerTest(8);

    @Test
    void eachReadIsALineWithItsProcessSectorSizeAndPattern() throws Exception {
        try (ToolRun run = Runs.started("biosnoop", "-d", loop.get().name(), "-P", "-Q")) {
            assertEquals("TIME(s)     COMM           PID     DISK      T SECTOR     BYTES  P QUE(ms) LAT(ms)", run.lines().getFirst());
            long pid = loop.get().directReads(4096, 8, 100);
            run.awaitLine(l -> l.contains(" " + (100 + 7) * 8 + " "), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError("no line for the last read: " + run.output() + run.errors()));
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines().stream().skip(1).toList();
            assertEquals(8, lines.size(), run.output());
            for (int i = 0; i < 8; i++) {
                List<String> c = Runs.columns(lines.get(i), 10);
                assertEquals("dd", c.get(1), lines.get(i));
                assertEquals(pid, Long.parseLong(c.get(2)), lines.get(i));
                assertEquals(loop.get().name(), c.get(3));
                assertEquals("R", c.get(4));
                assertEquals((100 + i) * 8L, Long.parseLong(c.get(5)), "sector of read " + i);
                assertEquals(4096, Long.parseLong(c.get(6)));
                assertEquals(i == 0 ? "?" : "S", c.get(7), "each read follows the one before: " + lines.get(i));
                assertTrue(Double.parseDouble(c.get(8)) >= 0 && Double.parseDouble(c.get(9)) >= 0, lines.get(i));
            }
        }
    }

    @Test
    void jsonObjectPerWrite() throws Exception {
        try (ToolRun run = Runs.started("biosnoop", "--json", "-d", loop.get().name())) {
            long pid = loop.get().directWrites(8192, 2, 10);
            String line = run.awaitLine(l -> l.contains("\"sector\":" + 10 * 16 + ","), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError("no write at sector 160: " + run.output() + run.errors()));
            JsonNode e = Runs.json(line);
            assertEquals("W", e.get("t").asText());
            assertEquals(8192, e.get("bytes").asLong());
            assertEquals(pid, e.get("pid").asLong());
            assertEquals(loop.get().name(), e.get("disk").asText());
            assertTrue(e.get("lat_ms").asDouble() >= 0 && e.get("time_s").asDouble() >= 0, line);
        }
    }
}
