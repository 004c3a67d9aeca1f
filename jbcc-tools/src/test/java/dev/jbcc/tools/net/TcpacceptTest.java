package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** tcpaccept on connections the test accepts on a port of its own on 127.0.0.1. */
class TcpacceptTest {
    @Test
    void showsTheAcceptingProcessAndBothEnds() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcpaccept", "-P", Integer.toString(port))) {
                assertEquals("PID     COMM         IP RADDR            RPORT LADDR            LPORT", run.lines().getFirst());
                try (Net.Connected c = Net.connect(server)) {
                    String line = run.awaitLine(l -> l.stripTrailing().endsWith(" " + port), Runs.EVENT).orElseThrow(
                            () -> new AssertionError("no accept on " + port + ": " + run.output() + run.errors()));
                    List<String> col = Runs.columns(line, 7);
                    assertEquals(ProcessHandle.current().pid(), Long.parseLong(col.get(0)), line);
                    assertEquals(Net.comm(c.tid()), col.get(1), line);
                    assertEquals("4", col.get(2));
                    assertEquals("127.0.0.1", col.get(3));
                    assertEquals(c.localPort(), Integer.parseInt(col.get(4)), "the client's port: " + line);
                    assertEquals("127.0.0.1", col.get(5));
                }
                assertEquals(0, run.stop(Runs.READY), run.errors());
            }
        }
    }

    @Test
    void jsonWithTimeColumns() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcpaccept", "--json", "-T", "-t", "-4", "-P", Integer.toString(port))) {
                try (Net.Connected c = Net.connect(server)) {
                    JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"lport\":" + port), Runs.EVENT).orElseThrow(
                            () -> new AssertionError("no accept on " + port + ": " + run.output() + run.errors())));
                    assertEquals(c.localPort(), e.get("rport").asInt());
                    assertEquals(ProcessHandle.current().pid(), e.get("pid").asLong());
                    assertEquals(0.0, e.get("time_s").asDouble());
                    assertEquals(8, e.get("time").asText().length(), e.toString());
                }
            }
        }
    }
}
