package dev.jbcc.tools.block;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Gated;
import dev.jbcc.tools.LoopDevice;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** biotop sums the test's own O_DIRECT writes to its loop device under dd's PID. */
class BiotopTest {
    private static final int WRITES = 32;
    @RegisterExtension
    final LoopDevice.PerTest loop = new LoopDevice.PerTest(8);

    @Test
    void sumsTheWritesOfOneProcessPerInterval() throws Exception {
        try (ToolRun run = Runs.started("biotop", "-C", "1")) {
            long pid = loop.get().directWrites(4096, WRITES, 0);
            String prefix = String.format("%-7d dd ", pid);
            run.awaitLine(l -> l.startsWith(prefix), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError("no row for dd " + pid + ": " + run.output() + run.errors()));
            // the writes may straddle two intervals: wait for the next one, then add up
            Thread.sleep(1500);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertTrue(run.output().contains(" loadavg: "), run.output());
            assertTrue(run.output().contains("PID     COMM             D MAJ MIN DISK       I/O  Kbytes  AVGms"), run.output());
            assertTrue(run.output().endsWith("Detaching..."), run.output());
            long ios = 0, kbytes = 0;
            for (String line : run.lines().stream().filter(l -> l.startsWith(prefix)).toList()) {
                List<String> c = Runs.columns(line, 9);
                assertEquals("W", c.get(2), line);
                assertEquals(loop.get().name(), c.get(5), line);
                assertTrue(Double.parseDouble(c.get(8)) >= 0, line);
                ios += Long.parseLong(c.get(6));
                kbytes += Long.parseLong(c.get(7));
            }
            assertEquals(WRITES, ios, run.output());
            assertEquals(WRITES * 4, kbytes, run.output());
        }
    }

    @Test
    void jsonObjectPerIntervalWithOnlyTheFilteredPid() throws Exception {
        try (Gated p = new Gated("dd if=/dev/zero of=" + loop.get().device() + " bs=4096 count=4 oflag=direct conv=notrunc status=none");
             ToolRun run = Runs.started("biotop", "--json", "-p", Long.toString(p.pid()), "1")) {
            loop.get().directWrites(4096, 4, 100); // another process's writes: filtered out
            assertEquals(0, p.run());
            long ios = 0;
            for (long deadline = System.nanoTime() + Runs.EVENT.toNanos(); ios < 4 && System.nanoTime() < deadline; ) {
                Thread.sleep(500);
                ios = 0;
                for (String line : run.lines()) {
                    JsonNode o = Runs.json(line);
                    assertTrue(o.get("loadavg").asText().matches("[0-9.]+ [0-9.]+ [0-9.]+ .*"), line);
                    for (JsonNode row : o.get("processes")) {
                        assertEquals(p.pid(), row.get("pid").asLong(), line);
                        assertEquals("dd", row.get("comm").asText(), line);
                        assertEquals("W", row.get("d").asText(), line);
                        ios += row.get("i_o").asLong();
                    }
                }
            }
            assertEquals(4, ios, run.output());
        }
    }
}
