package dev.jbcc.tools.process;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PidpersecTest {
    private static final int FORKS = 30;

    @Test
    void countsTheProcessesTheTestStarts() throws Exception {
        try (ToolRun run = Runs.started("pidpersec")) {
            for (int i = 0; i < FORKS; i++) new ProcessBuilder("/bin/true").start().waitFor();
            assertEquals(0, run.stop(Runs.READY));
            assertEquals("Tracing... Ctrl-C to end.", run.errors());
            Pattern line = Pattern.compile("\\d\\d:\\d\\d:\\d\\d: PIDs/sec: (\\d+)");
            long total = 0;
            List<String> lines = run.lines();
            assertTrue(!lines.isEmpty(), "a line at least, on stop");
            for (String l : lines) {
                Matcher m = line.matcher(l);
                assertTrue(m.matches(), l);
                total += Long.parseLong(m.group(1));
            }
            assertTrue(total >= FORKS, "the test's " + FORKS + " forks at least (the machine forks too): " + lines);
        }
    }

    @Test
    void jsonOnePerSecond() throws Exception {
        try (ToolRun run = Runs.started("pidpersec", "--json")) {
            new ProcessBuilder("/bin/true").start().waitFor();
            String first = run.awaitLine(l -> l.startsWith("{"), Runs.EVENT).orElseThrow();
            var e = Runs.json(first);
            assertTrue(e.get("time").asText().matches("\\d\\d:\\d\\d:\\d\\d"), first);
            assertTrue(e.get("pids_sec").asLong() >= 1, "the test forked once: " + first);
        }
    }
}
