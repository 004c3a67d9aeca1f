package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Gated;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compactsnoop on a compaction the test asks for itself (writing /proc/sys/vm/compact_memory, which
 * compacts every zone in the writer's own context), watched as text and as JSON at once.
 */
class CompactsnoopTest {
    @Test
    void eachZoneTheTestCompacts() throws Exception {
        try (Gated compact = new Gated("sh -c 'echo 1 > /proc/sys/vm/compact_memory'");
             ToolRun text = Runs.started("compactsnoop", "-T", "-K", "-p", Long.toString(compact.pid()));
             ToolRun json = Runs.started("compactsnoop", "--json", "-p", Long.toString(compact.pid()))) {
            assertEquals("TIME(s)        COMM           PID    NODE ZONE         ORDER MODE      LAT(ms)           STATUS", text.lines().getFirst());
            assertEquals(0, compact.run());
            List<Compactsnoop.Zone> zones = Compactsnoop.zones().stream().filter(z -> z.spanned() > 0).toList();
            assertTrue(!zones.isEmpty(), "/proc/zoneinfo has zones");
            String zone = zones.getLast().name();
            json.awaitLine(l -> l.contains("\"" + zone + "\""), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError("no compaction of " + zone + ": " + json.output() + json.errors()));
            text.awaitLine(l -> l.contains(" " + zone + " "), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError("no compaction of " + zone + ": " + text.output() + text.errors()));
            assertEquals(0, text.stop(Runs.READY), text.errors());
            assertEquals(0, json.stop(Runs.READY), json.errors());

            for (String line : json.lines()) {
                JsonNode e = Runs.json(line);
                assertEquals(compact.pid(), e.get("pid").asLong(), line);
                assertEquals("sh", e.get("comm").asText(), line);
                assertEquals(-1, e.get("order").asInt(), "whole zones: " + line);
                assertEquals("SYNC", e.get("mode").asText(), line);
                assertTrue(e.get("lat_ms").asDouble() >= 0, line);
                assertTrue(zones.stream().anyMatch(z -> z.name().equals(e.get("zone").asText())), line);
                assertTrue(e.get("node").asText().matches("\\d+"), line);
            }
            List<String> rows = text.lines().stream().filter(l -> l.contains(" sh ")).toList();
            assertEquals(json.lines().size(), rows.size(), text.output());
            List<String> c = Runs.columns(rows.getFirst(), 9);
            assertEquals(compact.pid(), Long.parseLong(c.get(2)));
            assertTrue(text.output().contains("compact_zone"), "kernel stacks: " + text.output());
        }
    }
}
