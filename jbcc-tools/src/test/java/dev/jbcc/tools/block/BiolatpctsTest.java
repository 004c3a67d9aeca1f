package dev.jbcc.tools.block;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.LoopDevice;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** biolatpcts on a loop device the test sets up, with O_DIRECT reads it does itself. */
class BiolatpctsTest {
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

    @Test
    void readPercentilesRiseAndOtherTypesAreEmpty() throws Exception {
        String disk = loop.substring("/dev/".length());
        try (ToolRun run = Runs.started("biolatpcts", "-i", "-1", loop)) {
            Runs.sh("dd", "if=" + loop, "of=/dev/null", "bs=4096", "count=64", "iflag=direct");
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines();
            assertEquals(List.of(disk, "p1", "p5", "p10", "p16", "p25", "p50", "p75", "p84", "p90", "p95", "p99", "p100"),
                    List.of(lines.get(0).trim().split("\\s+")), run.output());
            String[] read = lines.get(1).trim().split("\\s+");
            assertEquals("read", read[0]);
            double last = 0;
            for (int i = 1; i < read.length; i++) {
                double us = micros(read[i]);
                assertTrue(us >= last && us > 0, "percentiles rise: " + lines.get(1));
                last = us;
            }
            assertEquals("write - - - - - - - - - - - -", lines.get(2).trim().replaceAll("\\s+", " "), "no writes were done");
        }
    }

    @Test
    void jsonInSecondsWithTheGivenPercentiles() throws Exception {
        try (ToolRun run = Runs.started("biolatpcts", "-j", "-p", "50,99.9", "-i", "-1", loop)) {
            Runs.sh("dd", "if=" + loop, "of=/dev/null", "bs=4096", "count=16", "iflag=direct");
            assertEquals(0, run.stop(Runs.READY), run.errors());
            JsonNode o = Runs.json(run.lines().getLast());
            JsonNode read = o.get("read");
            assertTrue(read.get("50").asDouble() > 0 && read.get("50").asDouble() <= read.get("99.9").asDouble(), o.toString());
            assertEquals(0.0, o.get("discard").get("50").asDouble());
        }
    }

    private static double micros(String v) {
        if (v.endsWith("us")) return Double.parseDouble(v.substring(0, v.length() - 2));
        if (v.endsWith("ms")) return Double.parseDouble(v.substring(0, v.length() - 2)) * 1000;
        return Double.parseDouble(v.substring(0, v.length() - 1)) * 1e6;
    }
}
