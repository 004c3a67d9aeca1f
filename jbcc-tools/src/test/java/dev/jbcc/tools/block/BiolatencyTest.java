package dev.jbcc.tools.block;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.LoopDevice;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** biolatency on a loop device the test sets up, with O_DIRECT reads it does itself. */
@org.junit.jupiter.api.Tag("vm")
class BiolatencyTest {
    private static final int READS = 64;
    private LoopDevice device;
    private String loop;

    @BeforeEach
    void loopDevice() throws Exception {
        device = LoopDevice.create(8);
        loop = device.device();
    }

    @AfterEach
    void remove() throws Exception {
        if (device != null) device.close();
    }

    private void directReads() throws Exception {
        Runs.sh("dd", "if=" + loop, "of=/dev/null", "bs=4096", "count=" + READS, "iflag=direct");
    }

    @Test
    void countsTheTestsReadsOnItsDisk() throws Exception {
        String disk = loop.substring("/dev/".length());
        try (ToolRun run = Runs.started("biolatency", "-d", disk, "-D")) {
            directReads();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            String out = run.output();
            assertTrue(out.contains("disk = " + disk), out);
            assertTrue(out.contains("usecs") && out.contains("count") && out.contains("distribution"), out);
            long total = 0;
            Matcher m = Pattern.compile("^\\s*\\d+ -> \\d+\\s*: (\\d+)\\s*\\|", Pattern.MULTILINE).matcher(out);
            while (m.find()) total += Long.parseLong(m.group(1));
            assertTrue(total >= READS && total <= READS * 2L, "the test's " + READS + " reads, counted " + total + ":\n" + out);
        }
    }

    @Test
    void jsonHistogramPerInterval() throws Exception {
        String disk = loop.substring("/dev/".length());
        try (ToolRun run = Runs.started("biolatency", "-j", "-m", "-d", disk, "1", "1")) {
            directReads();
            assertEquals(0, run.await(Runs.READY), run.errors());
            JsonNode h = Runs.json(run.lines().stream().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
            assertEquals("msecs", h.get("val_type").asText());
            long total = 0;
            for (JsonNode slot : h.get("data")) total += slot.get("count").asLong();
            assertTrue(total <= READS * 2L, h.toString());
        }
    }
}
