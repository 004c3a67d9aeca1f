package dev.jbcc.tools.cpu;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** hardirqs while the test does device I/O (synced writes, O_DIRECT reads), which completes in interrupts. */
class HardirqsTest {
    /**
     * Writes a file beside the build's output (on a disk, or in the VM on the 9p share: both reach
     * a virtio device) with O_SYNC, and reads it back past the page cache where the file system
     * allows O_DIRECT.
     */
    private static void deviceIo() throws Exception {
        Path dir = Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(dir, "jbcc-hardirqs", ".dat");
        try {
            Files.write(file, new byte[256 * 1024], StandardOpenOption.SYNC);
            Process dd = new ProcessBuilder("dd", "if=" + file, "of=/dev/null", "bs=4096", "iflag=direct")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            dd.waitFor(); // a file system without O_DIRECT refuses it: the synced writes went to the device anyway
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void countsLieBetweenTheKernelsOwnCounters() throws Exception {
        Map<String, Long> outerBefore = ProcCounts.interrupts();
        Map<String, Long> innerBefore, innerAfter;
        Map<String, Long> counted = new HashMap<>();
        try (ToolRun run = Runs.started("hardirqs", "-C")) {
            innerBefore = ProcCounts.interrupts();
            deviceIo();
            innerAfter = ProcCounts.interrupts();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines();
            int header = lines.indexOf("HARDIRQ                    TOTAL_count");
            assertTrue(header >= 0, run.output());
            for (String l : lines.subList(header + 1, lines.size())) {
                if (l.isBlank()) continue;
                int cut = l.lastIndexOf(' ');
                counted.put(l.substring(0, cut).trim(), Long.parseLong(l.substring(cut + 1)));
            }
        }
        Map<String, Long> outerAfter = ProcCounts.interrupts();
        assertTrue(counted.values().stream().mapToLong(Long::longValue).sum() >= 1, "the test's I/O completes in interrupts: " + counted);
        for (var e : counted.entrySet()) {
            if (!outerAfter.containsKey(e.getKey())) continue; // a handler sharing its line with another: not one /proc column
            long low = ProcCounts.delta(innerBefore, innerAfter, e.getKey()), high = ProcCounts.delta(outerBefore, outerAfter, e.getKey());
            // within a few of the kernel's own count: an edge interrupt that arrives while its
            // handler runs is handled again in the same round but counted once by /proc, and the
            // kernel counts one it finds nothing to run for
            long slack = high / 20 + 2;
            assertTrue(low - slack <= e.getValue() && e.getValue() <= high + slack,
                    e.getKey() + ": counted " + e.getValue() + ", the kernel " + low + ".." + high);
        }
    }

    @Test
    void timesAndHistogramsInNanoseconds() throws Exception {
        try (ToolRun run = Runs.started("hardirqs", "-d", "-N")) {
            deviceIo();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            String out = run.output();
            assertTrue(out.contains("hardirq = ") && out.contains("nsecs"), out);
            String handler = out.lines().filter(l -> l.startsWith("hardirq = ")).findFirst().orElseThrow().substring("hardirq = ".length());
            assertTrue(Histograms.total(Histograms.section(out, "hardirq = " + handler)) >= 1, out);
        }
        try (ToolRun run = Runs.started("hardirqs", "--json", "-T", "1", "1")) {
            deviceIo();
            assertEquals(0, run.await(Runs.READY), run.errors());
            assertTrue(run.lines().stream().map(Runs::json).anyMatch(r -> r.get("total_usecs").asLong() >= 0 && !r.get("hardirq").asText().isEmpty()),
                    run.output());
        }
    }
}
