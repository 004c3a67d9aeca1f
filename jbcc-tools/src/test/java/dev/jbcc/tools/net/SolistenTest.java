package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** solisten on a listener the test opens on 127.0.0.1 (backlog 16). */
class SolistenTest {
    private static long netns() throws Exception {
        String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(); // net:[4026531840]
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }

    @Test
    void showsTheTestsListenerWithItsBacklogPortAndNamespace() throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("solisten", "--show-netns", "-p", pid)) {
            assertEquals("PID     COMM         NETNS        PROTO  BACKLOG  PORT  ADDR", run.lines().getFirst().stripTrailing());
            long tid = Net.tid();
            try (ServerSocketChannel server = Net.listener()) {
                int port = Net.port(server);
                String line = run.awaitLine(l -> l.contains(" " + port + " "), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no listen on " + port + ": " + run.output() + run.errors()));
                List<String> col = Runs.columns(line, 7);
                assertEquals(pid, col.get(0));
                assertEquals(Net.comm(tid), col.get(1));
                assertEquals(netns(), Long.parseLong(col.get(2)));
                assertEquals(List.of("TCPv4", "16", Integer.toString(port), "127.0.0.1"), col.subList(3, 7));
            }
            assertEquals(0, run.stop(Runs.READY), run.errors());
        }
    }

    @Test
    void anotherNamespaceLeavesItOutAndJsonHasTheFields() throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        try (ToolRun other = Runs.started("solisten", "-n", Long.toString(netns() + 1), "-p", pid);
             ToolRun run = Runs.started("solisten", "--json", "-p", pid);
             ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"port\":" + port), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no listen on " + port + ": " + run.output() + run.errors())));
            assertEquals("TCPv4", e.get("proto").asText());
            assertEquals(16, e.get("backlog").asInt());
            assertEquals("127.0.0.1", e.get("addr").asText());
            assertEquals(0, other.stop(Runs.READY), other.errors());
            assertEquals(1, other.lines().size(), "only the header: " + other.output());
        }
    }
}
