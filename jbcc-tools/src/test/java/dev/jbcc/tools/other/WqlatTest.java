package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.LoopDevice;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * wqlat on the workqueue of a loop device of the test's own ({@code loopN}): the loop driver
 * queues work there for the requests the test's O_DIRECT reads make.
 */
class WqlatTest {
    private static final int READS = 32;
    @RegisterExtension
    final LoopDevice.PerTest loop = new LoopDevice.PerTest(8);

    private static long total(String histogram) {
        long total = 0;
        Matcher m = Pattern.compile("^\\s*\\d+ -> \\d+\\s*: (\\d+)\\s*\\|", Pattern.MULTILINE).matcher(histogram);
        while (m.find()) total += Long.parseLong(m.group(1));
        return total;
    }

    @Test
    void histogramOfTheLoopDevicesWorkqueue() throws Exception {
        try (ToolRun run = Runs.started("wqlat", "-W", "-w", loop.get().name())) {
            loop.get().directReads(4096, READS, 0);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            String out = run.output();
            assertTrue(out.contains("wqname = " + loop.get().name() + "\n"), out);
            assertTrue(out.contains("     usecs               : count     distribution"), out);
            assertEquals(1, out.split("wqname = ").length - 1, "one workqueue only: " + out);
            long total = total(out);
            // a request arriving while the work is still pending joins it: at most one work per read
            assertTrue(total >= 1 && total <= READS, total + " works for " + READS + " reads:\n" + out);
        }
    }

    @Test
    void jsonPerInterval() throws Exception {
        try (ToolRun run = Runs.started("wqlat", "--json", "-N", "-w", loop.get().name(), "1", "2")) {
            loop.get().directReads(4096, READS, 0);
            assertEquals(0, run.await(Runs.READY), run.errors());
            assertEquals(2, run.lines().size(), run.output());
            long total = 0;
            for (String line : run.lines()) {
                JsonNode h = Runs.json(line);
                assertEquals("nsecs", h.get("val_type").asText());
                for (JsonNode slot : h.get("data")) total += slot.get("count").asLong();
            }
            assertTrue(total >= 1 && total <= READS, run.output());
        }
    }
}
