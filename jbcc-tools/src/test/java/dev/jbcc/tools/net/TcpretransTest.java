package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tcpretrans on a session whose receiver drops every segment (unacked.py: a socket filter on the
 * accepted end), so the sender must retransmit.
 */
class TcpretransTest {
    /** Runs unacked.py for {@code seconds}; its client and server ports. */
    private static Process unacked(int seconds, int[] ports) throws Exception {
        Net.Unacked u = Net.unacked(seconds, false);
        ports[0] = u.clientPort();
        ports[1] = u.serverPort();
        return u.process();
    }

    @Test
    void showsTheRetransmitsOfTheSessionThatIsNeverAcked() throws Exception {
        try (ToolRun run = Runs.started("tcpretrans", "-s")) {
            assertEquals("TIME     PID     IP LADDR:LPORT          T> RADDR:RPORT          STATE        SEQ", run.lines().getFirst());
            int[] ports = new int[2];
            Process p = unacked(3, ports);
            String from = "127.0.0.1:" + ports[0], to = "127.0.0.1:" + ports[1];
            String line = run.awaitLine(l -> l.contains(" " + from + " ") && l.contains(" " + to + " "), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no retransmit " + from + " > " + to + ": " + run.output() + run.errors()));
            List<String> col = Runs.columns(line, 8);
            assertEquals(8, col.get(0).length(), "HH:MM:SS: " + line);
            assertEquals(List.of("4", from, "R>", to, "ESTABLISHED"), col.subList(2, 7));
            assertTrue(Long.parseLong(col.get(7)) >= 0, line);
            p.destroy();
            p.waitFor();
            assertEquals(0, run.stop(Runs.READY), run.errors());
        }
    }

    @Test
    void countsPerFlowUnderJson() throws Exception {
        try (ToolRun run = Runs.started("tcpretrans", "-c", "--json", "-4")) {
            int[] ports = new int[2];
            Process p = unacked(2, ports);
            assertEquals(0, p.waitFor());
            assertEquals(0, run.stop(Runs.READY), run.errors());
            String from = "[127.0.0.1]#" + ports[0];
            JsonNode n = Runs.json(run.lines().stream().filter(l -> l.contains("\"" + from + "\"")).findFirst().orElseThrow(
                    () -> new AssertionError("no count for " + from + ": " + run.output() + run.errors())));
            assertEquals("[127.0.0.1]#" + ports[1], n.get("raddr_rport").asText());
            assertTrue(n.get("retransmits").asLong() >= 1, n.toString());
        }
    }

    @Test
    void lossProbesNeedKprobes() throws Exception {
        if (Features.haveKprobes()) {
            try (ToolRun run = Runs.started("tcpretrans", "-l")) {
                assertEquals(0, run.stop(Runs.READY), run.errors());
            }
            return;
        }
        ToolRun run = ToolRun.start("tcpretrans", "-l");
        assertEquals(1, run.await(Runs.READY), run.errors());
        assertTrue(run.errors().startsWith("jbcc: "), run.errors());
        assertTrue(run.errors().contains("kprobe: kprobes are not in this kernel"), run.errors());
        assertEquals(1, run.errors().lines().count(), run.errors());
    }

    @Test
    @Tag("kprobes")
    void lossProbesAreLinesOfTheirOwn() throws Exception {
        try (ToolRun run = Runs.started("tcpretrans", "-l")) {
            int[] ports = new int[2];
            Process p = unacked(3, ports);
            String from = "127.0.0.1:" + ports[0], to = "127.0.0.1:" + ports[1];
            String line = run.awaitLine(l -> l.contains(" " + from + " ") && l.contains(" L> " + to + " "), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no tail loss probe " + from + " > " + to + ": " + run.output() + run.errors()));
            assertEquals("ESTABLISHED", Runs.columns(line, 7).get(6));
            p.destroy();
            p.waitFor();
        }
    }
}
