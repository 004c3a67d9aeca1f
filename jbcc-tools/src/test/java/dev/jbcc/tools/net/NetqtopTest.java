package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** netqtop on loopback, with pings of a size the test picks. */
class NetqtopTest {
    @Test
    void countsTheTestsPingsInTheirSizeRangeBothWays() throws Exception {
        try (ToolRun run = Runs.started("netqtop", "-n", "lo", "-i", "30", "--json")) {
            // 1000 bytes of payload: 1042-byte frames, in [512, 2K); loopback sends and receives each.
            Runs.sh("ping", "-c", "5", "-i", "0.05", "-s", "1000", "-q", "127.0.0.1");
            assertEquals(0, run.stop(Runs.READY), run.errors());
            JsonNode o = Runs.json(run.lines().getLast());
            for (String way : new String[] {"tx", "rx"}) {
                long mid = 0;
                for (JsonNode q : o.get(way)) mid += q.get("by_size").get("[512, 2K)").asLong();
                assertTrue(mid >= 10, way + ": 5 requests and 5 replies of 1042 bytes: " + o);
            }
        }
    }

    @Test
    void printsBothTablesWithTotals() throws Exception {
        try (ToolRun run = Runs.started("netqtop", "-n", "lo", "-i", "30", "-t")) {
            Runs.sh("ping", "-c", "3", "-i", "0.05", "-s", "3000", "-q", "127.0.0.1");
            assertEquals(0, run.stop(Runs.READY), run.errors());
            String out = run.output();
            assertTrue(out.contains("\nTX\n QueueID  avg_size    [0, 64)  [64, 512)  [512, 2K)  [2K, 16K) [16K, 64K)        BPS        PPS\n"), out);
            assertTrue(out.contains("\nRX\n"), out);
            String total = out.lines().filter(l -> l.startsWith(" Total")).findFirst().orElseThrow();
            String[] c = total.trim().split("\\s+");
            assertTrue(Long.parseLong(c[5]) >= 6, "3 pings of 3042 bytes each way in [2K, 16K): " + total);
        }
    }

    @Test
    void anUnknownDeviceIsAUsageError() throws Exception {
        try (ToolRun run = ToolRun.start("netqtop", "-n", "jbcc-nonesuch")) {
            assertEquals(2, run.await(Runs.READY));
            assertEquals("jbcc: no network device jbcc-nonesuch in this network namespace (ip link lists them) (usage: jbcc netqtop --help)",
                    run.errors());
        }
    }
}
