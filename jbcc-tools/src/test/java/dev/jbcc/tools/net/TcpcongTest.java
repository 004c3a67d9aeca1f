package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tcpcong on a session on the loopback whose receiver drops every segment for a second (unacked.py
 * recover: a socket filter on the accepted end, then removed): the sender goes to Loss on its
 * retransmission timeout and back to Open when a retransmission is acked.
 */
class TcpcongTest {
    private static final double LOSSY_SECONDS = 1.0;

    /** Lets an unacked.py session started with recover send, and waits until its data arrived after the loss. */
    private static void go(Net.Unacked lossy) throws Exception {
        OutputStream in = lossy.process().getOutputStream();
        in.write('\n');
        in.flush();
        assertTrue(lossy.process().waitFor(60, TimeUnit.SECONDS), "unacked.py did not end");
        assertEquals(0, lossy.process().exitValue(), new String(lossy.process().getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theSendersTimeInLossAndOpen() throws Exception {
        Net.Unacked lossy = Net.unacked(LOSSY_SECONDS, true);
        try (ToolRun run = Runs.started("tcpcong", "-L", Integer.toString(lossy.clientPort()),
                "-R", lossy.serverPort() + "-" + lossy.serverPort())) {
            go(lossy);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines();
            assertEquals("", lines.getFirst(), lines.toString());
            assertEquals("LAddrPort             RAddrPort             Open_ms Dod_ms Rcov_ms Cwr_ms  Los_ms Chgs ", lines.get(1));
            String row = lines.stream().filter(l -> l.startsWith("127.0.0.1/" + lossy.clientPort() + " ")).findFirst().orElseThrow(
                    () -> new AssertionError("no row for the sender: " + run.output() + run.errors()));
            List<String> c = Runs.columns(row, 8);
            assertEquals("127.0.0.1/" + lossy.serverPort(), c.get(1));
            long loss = Long.parseLong(c.get(6)), changes = Long.parseLong(c.get(7).strip());
            // from the first timeout (>= 200 ms after the send) to the ack of a retransmission after the filter went
            assertTrue(loss >= 100 && loss <= LOSSY_SECONDS * 1000 * 10, "Los_ms " + loss + ": " + row);
            assertTrue(changes >= 1, row);
            assertTrue(lines.stream().noneMatch(l -> l.startsWith("127.0.0.1/" + lossy.serverPort() + " ")), "-L: the sender's end only: " + lines);
        }
    }

    @Test
    void histogramOfLossInMicrosecondsAsJson() throws Exception {
        Net.Unacked lossy = Net.unacked(LOSSY_SECONDS, true);
        try (ToolRun run = Runs.started("tcpcong", "-d", "-u", "--json", "-L", Integer.toString(lossy.clientPort()))) {
            go(lossy);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            JsonNode loss = run.lines().stream().map(Runs::json).filter(n -> n.path("tcp_congest_state").asText().equals("loss"))
                    .findFirst().orElseThrow(() -> new AssertionError("no loss histogram: " + run.output() + run.errors()));
            assertEquals("usecs", loss.get("val_type").asText(), loss.toString());
            long count = 0, lowest = Long.MAX_VALUE;
            for (JsonNode bucket : loss.get("data")) {
                if (bucket.get("count").asLong() == 0) continue;
                count += bucket.get("count").asLong();
                lowest = Math.min(lowest, bucket.get("interval-start").asLong());
            }
            assertTrue(count >= 1, loss.toString());
            assertTrue(lowest >= 65536, "a loss lasts more than 100 ms: " + loss);
        }
    }

    @Test
    void aBadPortRangeIsAUsageError() throws Exception {
        try (ToolRun run = ToolRun.start("tcpcong", "-L", "1-2-3")) {
            assertEquals(2, run.await(Runs.READY));
            assertTrue(run.errors().contains("'1-2-3' is not a port or a range of ports"), run.errors());
        }
    }
}
