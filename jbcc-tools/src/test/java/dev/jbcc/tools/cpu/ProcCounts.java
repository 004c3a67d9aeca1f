package dev.jbcc.tools.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The kernel's own interrupt counters, summed over CPUs: /proc/softirqs by kind (lower case, as
 * softirqs prints them) and /proc/interrupts by handler name (its last column). A tool's counts
 * over a window must lie between the counters' growth over a window inside it and one around it.
 */
final class ProcCounts {
    private ProcCounts() {
    }

    static Map<String, Long> softirqs() throws IOException {
        Map<String, Long> out = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/softirqs"))) {
            String[] f = line.trim().split("\\s+");
            if (!f[0].endsWith(":")) continue;
            out.put(f[0].substring(0, f[0].length() - 1).toLowerCase(Locale.ROOT), sum(f, 1, f.length));
        }
        return out;
    }

    static Map<String, Long> interrupts() throws IOException {
        var lines = Files.readAllLines(Path.of("/proc/interrupts"));
        int cpus = lines.getFirst().trim().split("\\s+").length;
        Map<String, Long> out = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            // numbered lines only (not NMI:, LOC:, ...), with a handler named after the chip columns
            if (!f[0].matches("\\d+:") || f.length < cpus + 3) continue;
            out.merge(f[f.length - 1], sum(f, 1, 1 + cpus), Long::sum);
        }
        return out;
    }

    private static long sum(String[] f, int from, int to) {
        long n = 0;
        for (int i = from; i < to && i < f.length; i++) n += Long.parseLong(f[i]);
        return n;
    }

    /** How much {@code name} grew from {@code before} to {@code after}. */
    static long delta(Map<String, Long> before, Map<String, Long> after, String name) {
        return after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
    }
}
