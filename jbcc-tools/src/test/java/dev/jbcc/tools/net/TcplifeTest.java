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

/** tcplife on a session the test opens to itself, sends 100 KiB over and closes. */
@org.junit.jupiter.api.Tag("vm")
class TcplifeTest {
    private static final int KIB = 100;

    @Test
    void bothEndsOfTheSessionWithTheirBytes() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcplife", "-L", Integer.toString(port) + ",1")) {
                assertEquals("PID   COMM       LADDR           LPORT RADDR           RPORT TX_KB RX_KB MS", run.lines().getFirst());
                int clientPort;
                try (Net.Connected c = Net.connect(server)) {
                    clientPort = c.localPort();
                    c.send(KIB * 1024);
                }
                // -L: the server's end only (local port is the listener's)
                String line = run.awaitLine(l -> l.contains(" " + port + " "), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no session on " + port + ": " + run.output() + run.errors()));
                List<String> col = Runs.columns(line, 9);
                assertEquals(ProcessHandle.current().pid(), Long.parseLong(col.get(0)), line);
                assertEquals("127.0.0.1", col.get(2));
                assertEquals(port, Integer.parseInt(col.get(3)));
                assertEquals("127.0.0.1", col.get(4));
                assertEquals(clientPort, Integer.parseInt(col.get(5)));
                assertEquals(0, Integer.parseInt(col.get(6)), "the server sent nothing: " + line);
                assertEquals(KIB, Integer.parseInt(col.get(7)), "the server received: " + line);
                assertTrue(Double.parseDouble(col.get(8)) >= 0, line);
                assertEquals(0, run.stop(Runs.READY), run.errors());
                assertEquals(2, run.lines().size(), "no other session: " + run.output());
            }
        }
    }

    @Test
    void jsonWideShowsTheClientsEnd() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcplife", "--json", "-w", "-D", Integer.toString(port))) {
                try (Net.Connected c = Net.connect(server)) {
                    c.send(KIB * 1024);
                }
                JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"rport\":" + port), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no session to " + port + ": " + run.output() + run.errors())));
                assertEquals(4, e.get("ip").asInt());
                assertEquals(KIB, e.get("tx_kb").asInt(), e.toString());
                assertEquals(0, e.get("rx_kb").asInt(), e.toString());
                assertEquals(ProcessHandle.current().pid(), e.get("pid").asLong());
            }
        }
    }
}
