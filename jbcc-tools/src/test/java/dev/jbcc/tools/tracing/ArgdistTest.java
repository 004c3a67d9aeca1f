package dev.jbcc.tools.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.CTarget;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgdistTest {
    static CTarget target;

    @BeforeAll
    static void compile() throws Exception {
        target = CTarget.shared();
    }

    @Test
    void countsTheArgumentValuesOfAUserFunction() throws Exception {
        String tag = "a" + UUID.randomUUID().toString().substring(0, 8);
        String spec = "p:" + target.path() + ":jbcc_work(long us, const char *tag):long,char*:us,tag";
        try (CTarget.Waiting child = target.start(3, 100, tag);
             ToolRun run = Runs.started("argdist", "-c", "-p", String.valueOf(child.pid()), "-C", spec)) {
            child.go();
            String row = run.awaitLine(l -> l.contains(tag), Runs.EVENT).orElseThrow(() -> new AssertionError(run.output() + run.errors()));
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertEquals("\t3          us = 100, tag = " + tag, row);
            List<String> lines = run.lines();
            int at = lines.indexOf(row);
            assertEquals("\tCOUNT      EVENT", lines.get(at - 1));
            assertEquals(spec, lines.get(at - 2));
            assertTrue(lines.get(at - 3).matches("\\[\\d\\d:\\d\\d:\\d\\d]"), lines.get(at - 3));
        }
    }

    @Test
    void histogramOfReturnValuesInJson() throws Exception {
        try (CTarget.Waiting child = target.start(4, 1000, "ab");
             ToolRun run = Runs.started("argdist", "--json", "-c", "-p", String.valueOf(child.pid()), "-H", "r:" + target.path() + ":jbcc_work()")) {
            child.go();
            // jbcc_work returns 1000 + strlen("ab")
            String line = run.awaitLine(l -> l.contains("\"interval-start\": 512, \"interval-end\": 1023, \"count\": 4"), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError(run.output() + run.errors()));
            JsonNode h = Runs.json(line);
            assertEquals("$retval", h.get("val_type").asText());
            long n = 0;
            for (JsonNode slot : h.get("data")) n += slot.get("count").asLong();
            assertEquals(4, n, line);
        }
    }

    @Test
    void latencyAndEntryParametersAtTheReturn() throws Exception {
        String path = target.path().toString();
        try (CTarget.Waiting child = target.start(3, 3000, "e");
             ToolRun run = Runs.started("argdist", "-c", "-p", String.valueOf(child.pid()),
                     "-H", "r:" + path + ":jbcc_work(long us):u64:$latency/1000#us",
                     "-C", "r:" + path + ":jbcc_work(long us):long:$entry(us)")) {
            child.go();
            // the counts are cumulative (-c): the second report that has all three calls was read after them
            int[] seen = {0};
            run.awaitLine(l -> l.equals("\t3          $entry(us) = 3000") && ++seen[0] == 2, Duration.ofSeconds(30))
                    .orElseThrow(() -> new AssertionError(run.output() + run.errors()));
            assertEquals(0, run.stop(Runs.READY), run.errors());
            // its histogram (-H comes before -C): the three calls, 3 ms each
            List<String> lines = run.lines();
            int end = lines.lastIndexOf("\t3          $entry(us) = 3000"), start = lines.subList(0, end).lastIndexOf("us");
            assertEquals(3, FunclatencyTest.counted(String.join("\n", lines.subList(start, end)), 2048), run.output());
        }
    }

    @Test
    void tracepointFieldWithAFilterAndTop() throws Exception {
        try (CTarget.Waiting child = target.start(3, 10, "f");
             ToolRun run = Runs.started("argdist", "-c", "-T", "1", "-p", String.valueOf(child.pid()),
                     "-C", "t:syscalls:sys_exit_clock_nanosleep():int:args->ret:args->ret == 0#sleeps")) {
            child.go();
            String row = run.awaitLine(l -> l.startsWith("\t3 "), Runs.EVENT).orElseThrow(() -> new AssertionError(run.output() + run.errors()));
            assertEquals("\t3          args->ret = 0", row);
            List<String> lines = run.lines();
            assertEquals("sleeps", lines.get(lines.indexOf(row) - 2));
        }
    }
}
