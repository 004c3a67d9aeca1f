package dev.jbcc.tools.net;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tcptop on 300 KiB the test sends to itself over its own loopback session. */
@org.junit.jupiter.api.Tag("vm")
class TcptopTest {
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final int KIB = 300;

    @Test
    void bothEndsWithTheirBytesOnCtrlC() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcptop", "-C", "-p", PID, "3600")) {
                String client, served;
                try (Net.Connected c = Net.connect(server)) {
                    c.send(KIB * 1024);
                    client = "127.0.0.1:" + c.localPort();
                    served = "127.0.0.1:" + port;
                }
                assertEquals(0, run.stop(Runs.READY), run.errors());
                List<String> lines = run.lines();
                assertTrue(lines.stream().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d loadavg: .*")), lines.toString());
                assertTrue(lines.contains("PID     COMM         LADDR                 RADDR                  RX_KB  TX_KB"), lines.toString());
                String sender = lines.stream().filter(l -> l.matches(".* " + client + " +" + served + " .*")).findFirst().orElseThrow(
                        () -> new AssertionError("no " + client + ": " + lines));
                List<String> col = Runs.columns(sender, 6);
                assertEquals(List.of(PID, client, served, "0", Integer.toString(KIB)), List.of(col.get(0), col.get(2), col.get(3), col.get(4), col.get(5)));
                String receiver = lines.stream().filter(l -> l.matches(".* " + served + " +" + client + " .*")).findFirst().orElseThrow(
                        () -> new AssertionError("no " + served + ": " + lines));
                assertEquals(List.of(served, client, Integer.toString(KIB), "0"), Runs.columns(receiver, 6).subList(2, 6));
            }
        }
    }

    @Test
    void jsonPerInterval() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcptop", "--json", "-p", PID, "1", "2")) {
                try (Net.Connected c = Net.connect(server)) {
                    c.send(KIB * 1024);
                }
                assertEquals(0, run.await(Runs.READY), run.errors());
                long rx = run.lines().stream().filter(l -> l.contains("\"laddr\":\"127.0.0.1:" + port + "\""))
                        .map(Runs::json).mapToLong(j -> j.get("rx_kb").asLong()).sum();
                assertTrue(rx >= KIB - 2 && rx <= KIB, "the server's " + KIB + " KiB, split over intervals: " + run.output());
            }
        }
    }
}
