package dev.jbcc.tools.cpu;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cpudist on threads of this JVM whose off-CPU times the test sets. */
class CpudistTest {
    @Test
    void offCpuTimeOfSleepingThreadsIsAtLeastTheirSleep() throws Exception {
        int sleeps = 40;
        String pid = String.valueOf(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("cpudist", "-O", "-L", "-e", "-p", pid)) {
            long began = System.nanoTime();
            long tid;
            try (Workers w = Workers.sleepers("cpd", 1, 5, sleeps).go()) {
                w.join();
                tid = w.tids().getFirst();
            }
            long elapsedUs = (System.nanoTime() - began) / 1000;
            assertEquals(0, run.stop(Runs.READY), run.errors());
            String out = run.output();
            String rows = Histograms.section(out, "tid = " + tid);
            long n = Histograms.total(rows);
            assertTrue(n >= sleeps, sleeps + " sleeps, counted " + n + ":\n" + out);
            // -e: the thread's total time off the CPU is at least its sleeps' (the JVM may split one sleep in two)
            Matcher ext = Pattern.compile("tid = " + tid + ", avg = (\\d+) usecs, total: (\\d+) usecs, count: (\\d+)").matcher(out);
            assertTrue(ext.find(), out);
            // read after the histogram: the ending thread may have been switched in once more meanwhile
            assertTrue(Long.parseLong(ext.group(3)) >= n, out);
            long total = Long.parseLong(ext.group(2));
            assertTrue(total >= sleeps * 5000L && total <= elapsedUs, sleeps + " sleeps of 5 ms in " + elapsedUs + " us, off-CPU " + total + " us:\n" + out);
        }
    }

    @Test
    void onCpuTimeOfASpinningThreadIsCounted() throws Exception {
        String pid = String.valueOf(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("cpudist", "-P", "-m", "-p", pid); Workers w = Workers.spinners("cpdspin", 1).go()) {
            Thread.sleep(500);
            w.close();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            String out = run.output();
            assertTrue(out.contains("msecs"), out);
            assertTrue(Histograms.total(Histograms.section(out, "pid = " + pid)) >= 1, out);
        }
    }
}
