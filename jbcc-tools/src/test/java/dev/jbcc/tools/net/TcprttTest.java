package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tcprtt on segments the test's own session receives on its server's port. */
class TcprttTest {
    @Test
    void countsTheServersReceivesByLocalAddress() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcprtt", "-p", Integer.toString(port), "-b", "-e")) {
                try (Net.Connected c = Net.connect(server)) {
                    for (int i = 0; i < 20; i++) c.send(1000);
                }
                assertEquals(0, run.stop(Runs.READY), run.errors());
                String out = run.output();
                assertTrue(out.contains("Local Address = 127.0.0.1 [AVG "), out);
                long total = 0;
                Matcher m = Pattern.compile("^\\s*\\d+ -> \\d+\\s*: (\\d+)\\s*\\|", Pattern.MULTILINE).matcher(out);
                while (m.find()) total += Long.parseLong(m.group(1));
                assertTrue(total >= 1 && total <= 200, "the session's segments: " + out);
            }
        }
    }

    @Test
    void jsonForADurationWithAddressFilters() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcprtt", "--json", "-m", "-P", Integer.toString(port), "-a", "127.0.0.1", "-A", "127.0.0.1", "-d", "2")) {
                try (Net.Connected c = Net.connect(server)) {
                    for (int i = 0; i < 20; i++) c.send(1000);
                }
                assertEquals(0, run.await(Runs.READY), run.errors());
                JsonNode h = Runs.json(run.lines().stream().filter(l -> l.startsWith("{")).findFirst().orElseThrow(
                        () -> new AssertionError(run.output() + run.errors())));
                assertEquals("msecs", h.get("val_type").asText());
                long total = 0;
                for (JsonNode slot : h.get("data")) total += slot.get("count").asLong();
                assertTrue(total >= 1, h.toString());
            }
        }
    }
}
