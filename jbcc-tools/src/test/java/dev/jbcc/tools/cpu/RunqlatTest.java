package dev.jbcc.tools.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** runqlat on threads of this JVM that sleep and wake many times. */
@org.junit.jupiter.api.Tag("vm")
class RunqlatTest {
    static final int SLEEPS = 100;

    @Test
    void eachWakeupOfTheTestsThreadsIsInItsThreadsHistogram() throws Exception {
        String pid = String.valueOf(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("runqlat", "-L", "-p", pid); Workers w = Workers.sleepers("rql", 2, 1, SLEEPS).go()) {
            w.join();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            String out = run.output();
            assertTrue(out.contains("usecs"), out);
            for (long tid : w.tids()) {
                long n = Histograms.total(Histograms.section(out, "tid = " + tid));
                // each sleep ends in a wake-up and a switch in; the JVM may add a few of its own
                assertTrue(n >= SLEEPS && n <= SLEEPS * 3L, "thread " + tid + " woke " + SLEEPS + " times, counted " + n + ":\n" + out);
            }
        }
    }

    @Test
    void jsonHistogramInMillisecondsAfterOneInterval() throws Exception {
        String pid = String.valueOf(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("runqlat", "--json", "-m", "-p", pid, "1", "1"); Workers w = Workers.sleepers("rqlj", 1, 1, 50).go()) {
            w.join();
            assertEquals(0, run.await(Runs.READY), run.errors());
            JsonNode h = Runs.json(run.lines().stream().filter(l -> l.startsWith("{")).findFirst().orElseThrow(() -> new AssertionError(run.output())));
            assertEquals("msecs", h.get("val_type").asText());
            long total = 0;
            for (JsonNode slot : h.get("data")) total += slot.get("count").asLong();
            assertTrue(total >= 1, h.toString());
        }
    }
}
