package dev.jbcc.tools.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.SynchronousQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** wakeuptime (and offwaketime) while a thread of the test's wakes another, which waits for it, every 5 ms. */
class WakeuptimeTest {
    static final int HANDOFFS = 20;

    /** A waiter and a waker, named so, that hand over {@link #HANDOFFS} items, the waker sleeping 5 ms before each. */
    record Pair(String waiter, String waker) {
        static Pair named(String prefix) {
            String id = UUID.randomUUID().toString().replace("-", "").substring(0, 9);
            return new Pair(prefix + "wt" + id, prefix + "wk" + id);
        }

        /** Runs the hand-overs; returns how long they took, in microseconds. */
        long run() throws InterruptedException {
            SynchronousQueue<Integer> q = new SynchronousQueue<>();
            long began = System.nanoTime();
            Thread taker = Thread.ofPlatform().name(waiter).start(() -> {
                try {
                    for (int i = 0; i < HANDOFFS; i++) q.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Thread giver = Thread.ofPlatform().name(waker).start(() -> {
                try {
                    for (int i = 0; i < HANDOFFS; i++) {
                        Thread.sleep(5);
                        q.put(i);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            giver.join(60_000);
            taker.join(60_000);
            assertFalse(taker.isAlive() || giver.isAlive(), "hand-overs did not end");
            return (System.nanoTime() - began) / 1000;
        }
    }

    @Test
    void foldedBlockedTimeOfTheWaiterUnderItsWaker() throws Exception {
        Pair p = Pair.named("a");
        String pid = String.valueOf(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("wakeuptime", "-f", "-p", pid)) {
            long elapsedUs = p.run();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines().stream().filter(l -> l.startsWith(p.waker() + ";") && l.matches(".*;" + p.waiter() + " \\d+")).toList();
            assertFalse(lines.isEmpty(), run.output());
            long us = 0;
            for (String l : lines) us += Long.parseLong(l.substring(l.lastIndexOf(' ') + 1));
            // the waiter is blocked for most of each 5 ms the waker sleeps
            assertTrue(us >= HANDOFFS * 2500L && us <= elapsedUs, "blocked " + us + " us of " + elapsedUs + ":\n" + lines);
            // the waker's kernel stack: the futex wake that woke the waiter
            assertTrue(lines.stream().anyMatch(l -> l.contains("futex")), String.join("\n", lines));
        }
    }

    @Test
    void blocksAndJson() throws Exception {
        Pair p = Pair.named("b");
        String pid = String.valueOf(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("wakeuptime", "-v", "-p", pid)) {
            p.run();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            String out = run.output();
            assertTrue(out.contains(String.format("    %-16s %s%n", "target:", p.waiter())), out);
            assertTrue(out.contains(String.format("    %-16s %s%n", "waker:", p.waker())), out);
            assertTrue(out.lines().anyMatch(l -> l.matches("    [0-9a-f]{16} +\\S+")), "-v: frames with addresses\n" + out);
        }
        Pair q = Pair.named("c");
        try (ToolRun run = Runs.started("wakeuptime", "--json", "-p", pid)) {
            q.run();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<JsonNode> objects = run.lines().stream().map(Runs::json).toList();
            JsonNode mine = objects.stream().filter(o -> o.get("target").asText().equals(q.waiter()) && o.get("waker").asText().equals(q.waker()))
                    .findFirst().orElseThrow(() -> new AssertionError(run.output()));
            assertTrue(mine.get("usecs").asLong() > 0 && mine.get("waker_kernel_stack").size() > 0, mine.toString());
        }
    }
}
