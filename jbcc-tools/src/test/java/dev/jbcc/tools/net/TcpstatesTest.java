package dev.jbcc.tools.net;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tcpstates on the client's end of a session the test opens to itself and closes. */
class TcpstatesTest {
    @Test
    void theClientsStatesInOrder() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcpstates", "-D", Integer.toString(port))) {
                assertEquals("SKADDR           C-PID C-COMM     LADDR           LPORT RADDR           RPORT OLDSTATE    -> NEWSTATE    MS",
                        run.lines().getFirst());
                int clientPort;
                long tid;
                try (Net.Connected c = Net.connect(server)) {
                    clientPort = c.localPort();
                    tid = c.tid();
                }
                String last = run.awaitLine(l -> l.contains("-> CLOSE "), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no CLOSE: " + run.output() + run.errors()));
                List<String> lines = run.lines().subList(1, run.lines().size());
                List<String> first = Runs.columns(lines.getFirst(), 11);
                assertEquals(ProcessHandle.current().pid(), Long.parseLong(first.get(1)), "connect() is the test's: " + lines);
                assertEquals(Net.comm(tid), first.get(2));
                assertEquals("127.0.0.1", first.get(3));
                assertEquals("127.0.0.1", first.get(5));
                assertEquals(port, Integer.parseInt(first.get(6)));
                assertEquals(List.of("CLOSE", "->", "SYN_SENT", "0.000"), first.subList(7, 11));
                List<String> established = Runs.columns(lines.get(1), 11);
                assertEquals(first.get(0), established.get(0), "the same socket: " + lines);
                assertEquals(clientPort, Integer.parseInt(established.get(4)));
                assertEquals(List.of("SYN_SENT", "->", "ESTABLISHED"), established.subList(7, 10));
                assertTrue(last.contains(first.get(0)), lines.toString());
                assertEquals(0, run.stop(Runs.READY), run.errors());
            }
        }
    }
}
