package dev.jbcc.tools.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** runqlen while the test runs more spinning threads than there are CPUs, so that some must wait. */
class RunqlenTest {
    private static final int SPINNERS = Runtime.getRuntime().availableProcessors() + 2;

    @Test
    void queuedSamplesWhileMoreThreadsSpinThanThereAreCpus() throws Exception {
        try (Workers w = Workers.spinners("rqlen", SPINNERS); ToolRun run = Runs.started("runqlen", "-C", "1", "1")) {
            w.go();
            assertEquals(0, run.await(Runs.READY), run.errors());
            String out = run.output();
            assertTrue(out.contains("runqlen") && out.contains("cpu = 0"), out);
            long waiting = 0, samples = 0;
            Matcher m = Pattern.compile("^\\s*(\\d+)\\s*: (\\d+)\\s*\\|", Pattern.MULTILINE).matcher(out);
            while (m.find()) {
                long n = Long.parseLong(m.group(2));
                samples += n;
                if (Long.parseLong(m.group(1)) >= 1) waiting += n;
            }
            // about 99 samples a second per CPU, for the one-second interval
            assertTrue(samples >= 20, samples + " samples:\n" + out);
            assertTrue(waiting >= 1, "with " + SPINNERS + " spinning threads some samples find a queue:\n" + out);
        }
    }

    @Test
    void occupancyAsJson() throws Exception {
        try (Workers w = Workers.spinners("rqocc", SPINNERS); ToolRun run = Runs.started("runqlen", "--json", "-O", "-C", "1", "1")) {
            w.go();
            assertEquals(0, run.await(Runs.READY), run.errors());
            List<JsonNode> rows = run.lines().stream().map(Runs::json).toList();
            assertFalse(rows.isEmpty(), run.output());
            for (JsonNode r : rows) {
                double pct = r.get("runqocc").asDouble();
                assertTrue(pct >= 0 && pct <= 100 && r.get("samples").asLong() >= 1 && r.has("cpu"), r.toString());
            }
            assertTrue(rows.stream().anyMatch(r -> r.get("runqocc").asDouble() > 0), run.output());
        }
    }
}
