package dev.jbcc.tools.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** runqslower with a threshold of 0 us: every wake-up of the test's threads is a row. */
class RunqslowerTest {
    @Test
    void rowsForTheTestsThreadWithItsTid() throws Exception {
        String pid = String.valueOf(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("runqslower", "-P", "-p", pid, "0"); Workers w = Workers.sleepers("rqs", 1, 2, 20).go()) {
            assertEquals("TIME     COMM             TID           LAT(us) PREV COMM        PREV TID", run.lines().getFirst());
            w.join();
            String line = run.awaitLine(l -> isRowOf(l, w.name()), Runs.EVENT).orElseThrow(() -> new AssertionError(run.output()));
            List<String> c = List.of(line.trim().split("\\s+"));
            assertTrue(c.get(0).matches("\\d\\d:\\d\\d:\\d\\d"), line);
            assertEquals(w.name(), c.get(1));
            assertEquals(w.tids().getFirst(), Long.parseLong(c.get(2)));
            assertTrue(Long.parseLong(c.get(3)) >= 0, line);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            long rows = run.lines().stream().filter(l -> isRowOf(l, w.name())).count();
            assertTrue(rows >= 20, "20 wake-ups, " + rows + " rows:\n" + run.output());
        }
    }

    /** A row whose COMM (not PREV COMM) is {@code comm}. */
    private static boolean isRowOf(String line, String comm) {
        String[] c = line.trim().split("\\s+");
        return c.length > 1 && c[1].equals(comm);
    }

    @Test
    void jsonObjectsForOneThreadById() throws Exception {
        try (Workers w = Workers.sleepers("rqsj", 1, 2, 20)) {
            long tid = w.tids().getFirst();
            try (ToolRun run = Runs.started("runqslower", "--json", "-t", String.valueOf(tid), "0")) {
                w.go().join();
                String line = run.awaitLine(l -> l.contains("\"" + w.name() + "\""), Runs.EVENT).orElseThrow(() -> new AssertionError(run.output()));
                JsonNode e = Runs.json(line);
                assertEquals(tid, e.get("tid").asLong());
                assertTrue(e.get("lat_us").asLong() >= 0, line);
                assertTrue(run.lines().stream().allMatch(l -> Runs.json(l).get("tid").asLong() == tid), run.output());
            }
        }
    }
}
