package dev.jbcc.tools.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** offwaketime on the hand-overs of {@link WakeuptimeTest.Pair}: the waiter's stack joined to its waker's. */
class OffwaketimeTest {
    @Test
    void foldedWaiterStackThenWakerStackAndAFlameGraph() throws Exception {
        WakeuptimeTest.Pair p = WakeuptimeTest.Pair.named("o");
        String pid = String.valueOf(ProcessHandle.current().pid());
        Path svg = Files.createTempFile("jbcc-offwaketime", ".svg");
        try (ToolRun run = Runs.started("offwaketime", "-f", "-K", "-p", pid, "--flamegraph", svg.toString())) {
            long elapsedUs = p.run();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            // target;its kernel stack (root first);--;the waker's kernel stack (leaf first);waker
            List<String> lines = run.lines().stream().filter(l -> l.startsWith(p.waiter() + ";") && l.matches(".*;--;.*;" + p.waker() + " \\d+")).toList();
            assertFalse(lines.isEmpty(), run.output());
            long us = 0;
            for (String l : lines) us += Long.parseLong(l.substring(l.lastIndexOf(' ') + 1));
            assertTrue(us >= WakeuptimeTest.HANDOFFS * 2500L && us <= elapsedUs, "blocked " + us + " us of " + elapsedUs + ":\n" + lines);
            String waiterSide = lines.getFirst().substring(0, lines.getFirst().indexOf(";--;"));
            assertTrue(waiterSide.contains("schedule"), "the waiter blocked in the scheduler: " + lines.getFirst());
            String svgText = Files.readString(svg);
            assertTrue(svgText.startsWith("<?xml") && svgText.contains("<svg") && svgText.contains(p.waker()), svgText.length() + " chars");
        } finally {
            Files.deleteIfExists(svg);
        }
    }

    @Test
    void jsonNamesBothSidesWithTheirThreads() throws Exception {
        WakeuptimeTest.Pair p = WakeuptimeTest.Pair.named("j");
        String pid = String.valueOf(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("offwaketime", "--json", "-p", pid)) {
            p.run();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            JsonNode mine = run.lines().stream().map(Runs::json)
                    .filter(o -> o.get("target").asText().equals(p.waiter()) && o.get("waker").asText().equals(p.waker()))
                    .findFirst().orElseThrow(() -> new AssertionError(run.output()));
            assertTrue(mine.get("usecs").asLong() > 0, mine.toString());
            assertTrue(mine.get("target_stack").size() > 0 && mine.get("waker_stack").size() > 0, mine.toString());
            assertTrue(mine.get("target_pid").asLong() != mine.get("waker_pid").asLong(), mine.toString());
        }
    }
}
