package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cpuunclaimed while the test keeps CPU 0 busy with two spinning shells pinned there: CPU 0's run
 * queue holds both in (nearly) every sample, and CPU 0 is never idle. (Spinning for two seconds
 * per test: on a machine of two CPUs, it is what shows the run queue.)
 */
class CpuunclaimedTest {
    private static List<Process> spin() throws Exception {
        List<Process> spinners = new ArrayList<>();
        for (int i = 0; i < 2; i++) spinners.add(new ProcessBuilder("taskset", "-c", "0", "sh", "-c", "while :; do :; done").start());
        return spinners;
    }

    @Test
    void csvShowsTheRunQueueOfTheBusyCpu() throws Exception {
        List<Process> spinners = spin();
        try (ToolRun run = Runs.started("cpuunclaimed", "-J", "1", "2")) {
            assertEquals(0, run.await(Runs.READY), run.errors());
            List<String> lines = run.lines();
            String header = lines.getFirst();
            assertTrue(header.startsWith("TIMESTAMP_ns,CPU0,") && header.contains(",OFFSET_ns_CPU0"), header);
            int cpus = header.split(",").length / 2;
            List<String> rows = lines.subList(1, lines.size());
            // 99 samples a second for about 2 seconds
            assertTrue(rows.size() > 150, rows.size() + " samples:\n" + run.output());
            long busy = 0, fresh = 0;
            for (String row : rows) {
                String[] f = row.split(",");
                assertEquals(1 + 2 * cpus, f.length, row);
                if (Long.parseLong(f[1]) >= 2) busy++;
                long oldest = 0;
                for (int c = 0; c < cpus; c++) {
                    long age = Long.parseLong(f[1 + cpus + c]);
                    assertTrue(age >= 0 && age < Duration.ofSeconds(1).toNanos(), row);
                    oldest = Math.max(oldest, age);
                }
                if (oldest < Duration.ofMillis(4).toNanos()) fresh++;
            }
            // each CPU samples itself 10 times per sample: its value is about 1 ms old, unless its timer was held up
            assertTrue(fresh > rows.size() / 2, fresh + " of " + rows.size() + " samples with values of about one moment:\n" + run.output());
            assertTrue(busy > rows.size() * 0.8, busy + " of " + rows.size() + " samples saw CPU 0's two spinners:\n" + run.output());
        } finally {
            spinners.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void jsonSummaryPerInterval() throws Exception {
        List<Process> spinners = spin();
        try (ToolRun run = Runs.started("cpuunclaimed", "--json", "1", "2")) {
            assertEquals(0, run.await(Runs.READY), run.errors());
            assertEquals(2, run.lines().size(), run.output());
            JsonNode o = Runs.json(run.lines().getLast());
            String what = o + "\n" + run.errors();
            // 99 a second, less any taken while a CPU's timer was held up (a busy host's virtual CPUs)
            assertTrue(o.get("samples").asLong() > Cpuunclaimed.FREQUENCY / 3, what);
            // CPU 0 runs in every sample: at least that one of the CPUs is busy
            assertTrue(o.get("cpu_pct").asDouble() >= 100.0 / o.get("cpus").asLong() - 5, what);
            assertTrue(o.get("unclaimed_idle_pct").asDouble() >= 0 && o.get("unclaimed_idle_pct").asDouble() <= 100, what);
        } finally {
            spinners.forEach(Process::destroyForcibly);
        }
    }
}
