package dev.jbcc.tools.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** offcputime of a thread of the test's that sleeps. */
@org.junit.jupiter.api.Tag("vm")
class OffcputimeTest {
    @Test
    void foldedStacksOfASleeperSumItsSleeps() throws Exception {
        int sleeps = 30;
        String pid = String.valueOf(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("offcputime", "-f", "-p", pid)) {
            long began = System.nanoTime();
            String name;
            try (Workers w = Workers.sleepers("offc", 1, 5, sleeps).go()) {
                w.join();
                name = w.name();
            }
            long elapsedUs = (System.nanoTime() - began) / 1000;
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines().stream().filter(l -> l.startsWith(name + ";")).toList();
            assertFalse(lines.isEmpty(), run.output());
            long us = 0;
            for (String l : lines) us += Long.parseLong(l.substring(l.lastIndexOf(' ') + 1));
            // each sleep's timer is armed before the thread leaves the CPU, so a stretch off it can
            // be a little shorter than the 5 ms asked for: at least 90% of them in all
            assertTrue(us >= sleeps * 5000L * 9 / 10 && us <= elapsedUs, sleeps + " sleeps of 5 ms in " + elapsedUs + " us; off-CPU " + us + ":\n" + lines);
            // the kernel stack it blocked in ends in the scheduler
            assertTrue(lines.stream().anyMatch(l -> l.contains(";schedule;") || l.contains(";__schedule")), String.join("\n", lines));
            // and the program that took it, with the tracepoint code that ran it, is left out
            assertTrue(lines.stream().noneMatch(l -> l.contains("bpf_prog_") || l.contains("__traceiter_")), String.join("\n", lines));
        }
    }

    @Test
    void blocksWithTheThreadsTidAndJsonByTid() throws Exception {
        try (Workers w = Workers.sleepers("offj", 1, 3, 20)) {
            long tid = w.tids().getFirst();
            try (ToolRun run = Runs.started("offcputime", "-K", "-t", String.valueOf(tid))) {
                w.go().join();
                assertEquals(0, run.stop(Runs.READY), run.errors());
                String out = run.output();
                assertTrue(out.contains(String.format("    %-16s %s (%d)%n", "-", w.name(), tid).trim()), out);
                assertTrue(out.contains("\n    schedule\n") || out.contains("\n    __schedule\n"), out);
            }
            try (Workers again = Workers.sleepers("offj", 1, 3, 20)) {
                long tid2 = again.tids().getFirst();
                try (ToolRun run = Runs.started("offcputime", "--json", "-t", String.valueOf(tid2))) {
                    again.go().join();
                    assertEquals(0, run.stop(Runs.READY), run.errors());
                    List<JsonNode> stacks = run.lines().stream().map(Runs::json).toList();
                    assertFalse(stacks.isEmpty(), run.output());
                    for (JsonNode st : stacks) {
                        assertEquals(tid2, st.get("pid").asLong(), st.toString());
                        assertTrue(st.get("usecs").asLong() >= 1 && st.get("kernel_stack").isArray(), st.toString());
                    }
                }
            }
        }
    }
}
