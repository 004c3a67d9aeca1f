package dev.jbcc.tools.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.CTarget;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FuncslowerTest {
    static CTarget target;

    @BeforeAll
    static void compile() throws Exception {
        target = CTarget.shared();
    }

    @Test
    void showsOnlyTheSlowCallsWithLatencyResultAndArgument() throws Exception {
        String work = target.path() + ":jbcc_work", idle = target.path() + ":jbcc_idle";
        try (CTarget.Waiting child = target.start(3, 2000, "slow");
             ToolRun run = Runs.started("funcslower", "-u", "1000", "-a", "1", "-p", String.valueOf(child.pid()), work, idle)) {
            child.go();
            run.awaitLine(l -> l.contains("jbcc_work"), Runs.EVENT);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines();
            assertEquals("Tracing function calls slower than 1000 us... Ctrl+C to quit.", lines.get(0));
            assertEquals(String.format("%-14s %-6s %7s %16s %s", "COMM", "PID", "LAT(us)", "RVAL", "FUNC ARGS"), lines.get(1));
            assertEquals(5, lines.size(), "three slow calls, the fast jbcc_idle left out:\n" + run.output());
            for (String line : lines.subList(2, 5)) {
                List<String> c = Runs.columns(line, 6);
                assertEquals("jbcc_target", c.get(0));
                assertEquals(child.pid(), Long.parseLong(c.get(1)));
                assertTrue(Double.parseDouble(c.get(2)) >= 2000, line);
                assertEquals(Long.toHexString(2000 + "slow".length()), c.get(3));
                assertEquals(work, c.get(4));
                assertEquals("0x7d0", c.get(5));
            }
        }
    }

    @Test
    void jsonWithTheUserStack() throws Exception {
        try (CTarget.Waiting child = target.start(1, 1500, "u");
             ToolRun run = Runs.started("funcslower", "--json", "-U", "-p", String.valueOf(child.pid()), target.path() + ":jbcc_work")) {
            child.go();
            String line = run.awaitLine(l -> l.startsWith("{"), Runs.EVENT).orElseThrow(() -> new AssertionError(run.output() + run.errors()));
            JsonNode e = Runs.json(line);
            assertEquals(child.pid(), e.get("pid").asLong());
            assertTrue(e.get("lat_ms").asDouble() >= 1.5, line);
            boolean main = false;
            for (JsonNode f : e.get("user_stack")) main |= f.asText().equals("main");
            assertTrue(main, "returns to main: " + line);
        }
    }

    @Test
    @Tag("kprobes")
    void slowKernelFunction() throws Exception {
        try (CTarget.Waiting child = target.start(2, 3000, "k");
             ToolRun run = Runs.started("funcslower", "-u", "2000", "-p", String.valueOf(child.pid()), "do_nanosleep")) {
            child.go();
            run.awaitLine(l -> l.contains("do_nanosleep"), Runs.EVENT);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertEquals(2, run.lines().stream().filter(l -> l.startsWith("jbcc_target ") && l.endsWith(" do_nanosleep")).count(), run.output());
        }
    }
}
