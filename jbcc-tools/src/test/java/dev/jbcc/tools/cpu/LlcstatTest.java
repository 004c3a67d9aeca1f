package dev.jbcc.tools.cpu;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llcstat needs the CPU's cache counters. Where the machine has a CPU PMU the test reads its own
 * process's row while it sweeps memory; where it has none (VMs without a virtual PMU, like this
 * project's hosts) the tool must fail with one line that says so.
 */
class LlcstatTest {
    /** Whether perf lists a CPU PMU (x86's cpu or cpu_core, arm's armv8 PMUs). */
    private static boolean cpuPmu() throws Exception {
        try (var devices = Files.list(Path.of("/sys/bus/event_source/devices"))) {
            return devices.map(d -> d.getFileName().toString()).anyMatch(n -> n.equals("cpu") || n.equals("cpu_core") || n.startsWith("armv8"));
        }
    }

    @Test
    void referencesOfThisProcessOrOneLineWithoutCounters() throws Exception {
        if (!cpuPmu()) {
            ToolRun run = ToolRun.start("llcstat", "1");
            assertEquals(1, run.await(Runs.READY), run.output() + run.errors());
            List<String> lines = run.errors().lines().toList();
            assertEquals(1, lines.size(), run.errors());
            assertTrue(lines.getFirst().startsWith("jbcc: ") && lines.getFirst().contains("PMU"), lines.getFirst());
            return;
        }
        String pid = String.valueOf(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("llcstat", "-c", "10", "1")) {
            byte[] sweep = new byte[64 << 20];
            for (int round = 0; round < 4; round++) for (int i = 0; i < sweep.length; i += 64) sweep[i]++;
            assertEquals(0, run.await(Runs.READY), run.errors());
            assertEquals("PID      NAME             CPU     REFERENCE         MISS    HIT%", run.lines().getFirst());
            assertTrue(run.lines().stream().anyMatch(l -> l.startsWith(pid + " ") && Runs.columns(l, 6).get(3).matches("\\d+")), run.output());
            assertTrue(run.lines().getLast().matches("Total References: \\d+ Total Misses: \\d+ Hit Rate: \\d+\\.\\d\\d%"), run.output());
        }
    }
}
