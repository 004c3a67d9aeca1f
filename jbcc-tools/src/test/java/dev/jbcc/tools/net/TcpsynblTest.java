package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tcpsynbl on connections the test queues, none accepted, on a listener with a backlog of its own (37). */
@org.junit.jupiter.api.Tag("vm")
class TcpsynblTest {
    private static final int BACKLOG = 37, CONNECTIONS = 3;

    /** Queues {@link #CONNECTIONS} connections on a fresh listener; they stay until the returned sockets close. */
    private static List<SocketChannel> queue(ServerSocketChannel server) throws Exception {
        server.bind(new InetSocketAddress(Net.LOOPBACK, 0), BACKLOG);
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.INET);
            c.connect(server.getLocalAddress());
            clients.add(c);
        }
        return clients;
    }

    @Test
    void histogramOfTheBacklogTheTestsConnectionsFound() throws Exception {
        try (ToolRun run = Runs.started("tcpsynbl", "-4");
             ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            List<SocketChannel> clients = queue(server);
            Thread.sleep(200); // the last ACK may still be on its way through loopback
            assertEquals(0, run.stop(Runs.READY), run.errors());
            for (SocketChannel c : clients) c.close();
            String out = run.output();
            int at = out.indexOf("backlog_max = " + BACKLOG + "\n");
            assertTrue(at >= 0, out);
            // the section runs to the next blank line
            String section = out.substring(at, out.indexOf("\n\n", at) < 0 ? out.length() : out.indexOf("\n\n", at));
            assertTrue(section.contains("backlog"), section);
            Matcher m = Pattern.compile("^\\s*(\\d+) -> (\\d+)\\s*: (\\d+)\\s*\\|", Pattern.MULTILINE).matcher(section);
            java.util.Map<String, Long> buckets = new java.util.HashMap<>();
            while (m.find()) buckets.put(m.group(1) + "-" + m.group(2), Long.parseLong(m.group(3)));
            // the connections found 0, 1 and 2 queued before them
            assertEquals(java.util.Map.of("0-1", 2L, "2-3", 1L), buckets, section);
        }
    }

    @Test
    void jsonSections() throws Exception {
        try (ToolRun run = Runs.started("tcpsynbl", "--json");
             ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            List<SocketChannel> clients = queue(server);
            Thread.sleep(200);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            for (SocketChannel c : clients) c.close();
            JsonNode h = run.lines().stream().filter(l -> l.startsWith("{")).map(Runs::json)
                    .filter(j -> j.path("backlog_max").asText().equals(Integer.toString(BACKLOG))).findFirst()
                    .orElseThrow(() -> new AssertionError(run.output()));
            long total = 0;
            for (JsonNode slot : h.get("data")) total += slot.get("count").asLong();
            assertEquals(CONNECTIONS, total, h.toString());
            assertEquals("backlog", h.get("val_type").asText());
        }
    }
}
