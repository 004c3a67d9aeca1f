package dev.jbcc.tools.block;

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

/** bitesize counts the test's own 16 KiB O_DIRECT reads under dd's name, in the 16 -> 31 slot. */
class BitesizeTest {
    private static final int READS = 24;
    @RegisterExtension
    final LoopDevice.PerTest loop = new LoopDevice.PerTest(8);

    @Test
    void histogramPerProcessName() throws Exception {
        try (ToolRun run = Runs.started("bitesize")) {
            loop.get().directReads(16384, READS, 0);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            String out = run.output();
            assertTrue(run.errors().contains("Tracing block I/O... Hit Ctrl-C to end."), run.errors());
            int dd = out.indexOf("Process Name = dd\n");
            assertTrue(dd >= 0, out);
            String section = out.substring(dd).split("\n\n", 2)[0];
            assertTrue(section.contains("     Kbytes              : count     distribution"), section);
            Matcher m = Pattern.compile("^\\s*16 -> 31\\s*: (\\d+)\\s*\\|", Pattern.MULTILINE).matcher(section);
            assertTrue(m.find(), section);
            // other helpers' tests may run dd at the same time: at least the test's own reads
            assertTrue(Long.parseLong(m.group(1)) >= READS, section);
        }
    }

    @Test
    void jsonHistogramPerProcessName() throws Exception {
        try (ToolRun run = Runs.started("bitesize", "--json")) {
            loop.get().directReads(4096, READS, 0);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            JsonNode dd = run.lines().stream().map(Runs::json)
                    .filter(h -> "dd".equals(h.path("Process Name").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no histogram for dd: " + run.output()));
            assertEquals("Kbytes", dd.get("val_type").asText());
            long fourK = 0;
            for (JsonNode slot : dd.get("data")) if (slot.get("interval-start").asLong() == 4) fourK = slot.get("count").asLong();
            assertTrue(fourK >= READS, dd.toString());
        }
    }
}
