package dev.jbcc.tools.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@org.junit.jupiter.api.Tag("vm")
class ExecsnoopTest {
    @Test
    void showsAProcessTheTestExecsWithItsParentAndArguments() throws Exception {
        String marker = "jbcc-" + UUID.randomUUID();
        try (ToolRun run = Runs.started("execsnoop", "-l", marker)) {
            assertEquals("PCOMM            PID     PPID    RET ARGS", run.lines().getFirst());
            Process p = new ProcessBuilder("/bin/echo", marker, "two words").start();
            p.waitFor();
            String line = run.awaitLine(l -> l.contains(marker), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no line for " + marker + ": " + run.output() + run.errors()));
            List<String> c = Runs.columns(line, 5);
            assertEquals("echo", c.get(0));
            assertEquals(p.pid(), Long.parseLong(c.get(1)));
            assertEquals(ProcessHandle.current().pid(), Long.parseLong(c.get(2)));
            assertEquals("0", c.get(3));
            assertEquals("/bin/echo " + marker + " two words", c.get(4));
            assertEquals(0, run.stop(Runs.READY));
        }
    }

    @Test
    void jsonHasOneObjectPerExecAndFailedExecsWithX() throws Exception {
        String marker = "jbcc-" + UUID.randomUUID();
        try (ToolRun run = Runs.started("execsnoop", "--json", "-x", "-l", marker)) {
            assertTrue(run.lines().isEmpty(), "no header under --json: " + run.lines());
            try {
                new ProcessBuilder("/nonexistent/" + marker, "arg").start();
            } catch (java.io.IOException expected) {
                // ENOENT: the exec failed, which -x shows
            }
            String line = run.awaitLine(l -> l.contains(marker), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no line for " + marker + ": " + run.output() + run.errors()));
            JsonNode e = Runs.json(line);
            assertEquals(-2, e.get("ret").asInt(), line);
            assertEquals("/nonexistent/" + marker + " arg", e.get("args").asText());
            assertEquals(ProcessHandle.current().pid(), e.get("ppid").asLong());
        }
    }
}
