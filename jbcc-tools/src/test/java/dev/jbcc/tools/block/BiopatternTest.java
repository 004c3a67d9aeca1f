package dev.jbcc.tools.block;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.LoopDevice;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** biopattern on the test's own loop device: a run of sequential reads, then reads here and there. */
class BiopatternTest {
    @RegisterExtension
    final LoopDevice.PerTest loop = new LoopDevice.PerTest(8);

    /** 16 reads in a row (the first has nothing before it), then 4 that each jump: 15 sequential, 4 random. */
    private void pattern() throws Exception {
        loop.get().directReads(4096, 16, 0);
        for (long block : new long[] {1000, 300, 700, 50}) loop.get().directReads(4096, 1, block);
    }

    @Test
    void summaryOnStop() throws Exception {
        try (ToolRun run = Runs.started("biopattern", "-d", loop.get().name())) {
            assertEquals("TIME      DISK     %RND  %SEQ    COUNT     KBYTES", run.lines().getFirst());
            pattern();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertEquals(2, run.lines().size(), run.output());
            List<String> c = Runs.columns(run.lines().get(1), 6);
            assertEquals(loop.get().name(), c.get(1));
            assertEquals(Math.round(400.0 / 19), Long.parseLong(c.get(2)), run.output());
            assertEquals(100 - Math.round(400.0 / 19), Long.parseLong(c.get(3)), run.output());
            assertEquals(19, Long.parseLong(c.get(4)), run.output());
            assertEquals(19 * 4, Long.parseLong(c.get(5)), run.output());
        }
    }

    @Test
    void jsonPerInterval() throws Exception {
        try (ToolRun run = Runs.started("biopattern", "--json", "-d", loop.get().name(), "1")) {
            pattern();
            long total = 0, random = 0;
            for (long deadline = System.nanoTime() + Runs.EVENT.toNanos(); total < 19 && System.nanoTime() < deadline; ) {
                Thread.sleep(500);
                total = 0;
                random = 0;
                for (String line : run.lines()) {
                    JsonNode o = Runs.json(line);
                    assertEquals(loop.get().name(), o.get("disk").asText(), line);
                    assertEquals(100, o.get("rnd").asLong() + o.get("seq").asLong(), line);
                    total += o.get("count").asLong();
                    random += Math.round(o.get("rnd").asLong() * o.get("count").asLong() / 100.0);
                }
            }
            assertEquals(19, total, run.output());
            assertEquals(4, random, run.output());
        }
    }
}
