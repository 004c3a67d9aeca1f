package dev.jbcc.tools.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.CTarget;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FuncintervalTest {
    static CTarget target;

    @BeforeAll
    static void compile() throws Exception {
        target = CTarget.shared();
    }

    @Test
    void intervalsBetweenCallsOfAUserFunction() throws Exception {
        try (CTarget.Waiting child = target.start(4, 5000, "i");
             ToolRun run = Runs.started("funcinterval", "-u", "-p", String.valueOf(child.pid()), target.path() + ":jbcc_work")) {
            child.go();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            String out = run.output();
            assertTrue(out.contains("usecs") && out.contains("distribution"), out);
            assertEquals(3, FunclatencyTest.counted(out, 0), "4 calls, 3 intervals:\n" + out);
            assertEquals(3, FunclatencyTest.counted(out, 4096), "each call sleeps 5 ms:\n" + out);
        }
    }

    @Test
    void intervalsOfATracepointInJson() throws Exception {
        try (CTarget.Waiting child = target.start(5, 2000, "j");
             ToolRun run = Runs.started("funcinterval", "--json", "-m", "-p", String.valueOf(child.pid()), "t:syscalls:sys_enter_clock_nanosleep")) {
            child.go();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            JsonNode h = Runs.json(run.lines().getFirst());
            assertEquals("msecs", h.get("val_type").asText());
            long n = 0;
            for (JsonNode slot : h.get("data")) n += slot.get("count").asLong();
            assertEquals(4, n, run.output());
        }
    }
}
