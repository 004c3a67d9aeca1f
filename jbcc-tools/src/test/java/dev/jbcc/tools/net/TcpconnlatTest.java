package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tcpconnlat on connects the test makes to a port of its own on 127.0.0.1. */
class TcpconnlatTest {
    @Test
    void showsTheTestsConnectWithItsLatency() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcpconnlat", "-L", "-p", Long.toString(ProcessHandle.current().pid()))) {
                assertEquals("PID     COMM         IP SADDR            LPORT  DADDR            DPORT LAT(ms)", run.lines().getFirst());
                try (Net.Connected c = Net.connect(server)) {
                    String line = run.awaitLine(l -> l.contains(" " + port + " "), Runs.EVENT).orElseThrow(
                            () -> new AssertionError("no connect to " + port + ": " + run.output() + run.errors()));
                    List<String> col = Runs.columns(line, 8);
                    assertEquals(ProcessHandle.current().pid(), Long.parseLong(col.get(0)), line);
                    assertEquals(Net.comm(c.tid()), col.get(1), line);
                    assertEquals("4", col.get(2));
                    assertEquals("127.0.0.1", col.get(3));
                    assertEquals(c.localPort(), Integer.parseInt(col.get(4)), line);
                    assertEquals("127.0.0.1", col.get(5));
                    double ms = Double.parseDouble(col.get(7));
                    assertTrue(ms >= 0 && ms < 10_000, line);
                }
                assertEquals(0, run.stop(Runs.READY), run.errors());
            }
        }
    }

    @Test
    void aMinimumLeavesFastConnectsOutAndJsonHasTheRest() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            String pid = Long.toString(ProcessHandle.current().pid());
            try (ToolRun slow = Runs.started("tcpconnlat", "-p", pid, "10000");
                 ToolRun all = Runs.started("tcpconnlat", "--json", "-p", pid)) {
                Net.connect(server).close();
                JsonNode e = Runs.json(all.awaitLine(l -> l.contains("\"dport\":" + port), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no connect to " + port + ": " + all.output() + all.errors())));
                assertEquals("127.0.0.1", e.get("daddr").asText());
                assertTrue(e.get("lat_ms").asDouble() < 10_000, e.toString());
                assertEquals(0, slow.stop(Runs.READY), slow.errors());
                assertEquals(1, slow.lines().size(), "a loopback connect takes less than 10 s: " + slow.output());
            }
        }
    }
}
