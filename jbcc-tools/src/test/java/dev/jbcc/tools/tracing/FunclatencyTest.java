package dev.jbcc.tools.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.CTarget;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FunclatencyTest {
    static CTarget target;

    @BeforeAll
    static void compile() throws Exception {
        target = CTarget.shared();
    }

    /** Sum of the counts of the histogram rows whose lower bound is at least {@code min}; all rows with min 0. */
    static long counted(String out, long min) {
        long total = 0;
        Matcher m = Pattern.compile("^\\s*(\\d+) -> \\d+\\s*: (\\d+)\\s*\\|", Pattern.MULTILINE).matcher(out);
        while (m.find()) if (Long.parseLong(m.group(1)) >= min) total += Long.parseLong(m.group(2));
        return total;
    }

    @Test
    void timesEachCallOfAUserFunction() throws Exception {
        try (ToolRun run = Runs.started("funclatency", "-u", target.path() + ":jbcc_work")) {
            target.run(5, 2000, "a");
            assertEquals(0, run.stop(Runs.READY), run.errors());
            String out = run.output();
            assertTrue(out.contains("usecs") && out.contains("distribution"), out);
            assertEquals(5, counted(out, 0), out);
            assertEquals(5, counted(out, 1024), "each call sleeps 2 ms:\n" + out);
            Matcher avg = Pattern.compile("avg = (\\d+) usecs, total: (\\d+) usecs, count: 5").matcher(out);
            assertTrue(avg.find(), out);
            assertTrue(Long.parseLong(avg.group(1)) >= 2000, out);
        }
    }

    @Test
    void perFunctionHistogramsInJson() throws Exception {
        try (ToolRun run = Runs.started("funclatency", "--json", "-F", target.path() + ":jbcc_*")) {
            target.run(3, 0, "b");
            assertEquals(0, run.stop(Runs.READY), run.errors());
            long work = -1, idle = -1;
            for (String line : run.lines()) {
                JsonNode h = Runs.json(line);
                if (!h.has("data")) continue;
                long n = 0;
                for (JsonNode slot : h.get("data")) n += slot.get("count").asLong();
                assertEquals("nsecs", h.get("val_type").asText(), line);
                if (h.get("Function").asText().equals("jbcc_work")) work = n;
                if (h.get("Function").asText().equals("jbcc_idle")) idle = n;
            }
            assertEquals(3, work, run.output());
            assertEquals(1, idle, run.output());
        }
    }

    @Test
    @Tag("kprobes")
    void timesAKernelFunction() throws Exception {
        try (CTarget.Waiting child = target.start(4, 3000, "k");
             ToolRun run = Runs.started("funclatency", "-u", "-p", String.valueOf(child.pid()), "do_nanosleep")) {
            child.go();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertEquals(4, counted(run.output(), 2048), run.output());
        }
    }
}
