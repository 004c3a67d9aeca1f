package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tcpdrop on a SYN the test sends to a port of its own that nobody listens on (dropped: no socket). */
class TcpdropTest {
    /** Connects to a port held by a bound, not listening, socket; the client's port. */
    private static int refusedConnect(int[] port) throws IOException {
        try (SocketChannel holder = SocketChannel.open(StandardProtocolFamily.INET);
             SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
            holder.bind(new InetSocketAddress(Net.LOOPBACK, 0));
            port[0] = ((InetSocketAddress) holder.getLocalAddress()).getPort();
            client.bind(new InetSocketAddress(Net.LOOPBACK, 0));
            int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
            assertThrows(ConnectException.class, () -> client.connect(new InetSocketAddress(Net.LOOPBACK, port[0])));
            return clientPort;
        }
    }

    @Test
    void showsTheDroppedSynWithItsKernelStack() throws Exception {
        try (ToolRun run = Runs.started("tcpdrop", "-4")) {
            assertEquals("TIME     PID     IP SADDR:SPORT          > DADDR:DPORT          STATE (FLAGS)", run.lines().getFirst());
            int[] port = new int[1];
            int clientPort = refusedConnect(port);
            String to = "127.0.0.1:" + port[0];
            String line = run.awaitLine(l -> l.contains("> " + to + " "), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no drop to " + to + ": " + run.output() + run.errors()));
            List<String> col = Runs.columns(line, 8);
            assertEquals(List.of("4", "127.0.0.1:" + clientPort, ">", to, "?", "(SYN)"), col.subList(2, 8));
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines();
            int at = lines.indexOf(line);
            assertTrue(lines.get(at + 1).startsWith("\t") && lines.get(at + 1).contains("+0x"), "a kernel stack: " + lines);
        }
    }

    @Test
    void jsonHasTheStackAsAList() throws Exception {
        try (ToolRun run = Runs.started("tcpdrop", "--json")) {
            int[] port = new int[1];
            refusedConnect(port);
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"127.0.0.1:" + port[0] + "\""), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no drop to " + port[0] + ": " + run.output() + run.errors())));
            assertEquals("SYN", e.get("flags").asText());
            assertTrue(e.get("stack").isArray() && e.get("stack").size() > 0, e.toString());
        }
    }
}
