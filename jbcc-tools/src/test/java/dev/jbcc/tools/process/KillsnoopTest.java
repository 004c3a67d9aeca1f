package dev.jbcc.tools.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KillsnoopTest {
    @Test
    void showsTheSignalTheTestSendsToItsChild() throws Exception {
        Process child = new ProcessBuilder("/bin/sleep", "30").start();
        try (ToolRun run = Runs.started("killsnoop", "-T", String.valueOf(child.pid()))) {
            assertTrue(run.lines().getFirst().matches("TIME +PID +COMM +SIG +TPID +RESULT"), run.lines().getFirst());
            child.destroy(); // SIGTERM, by kill(2) from this JVM
            child.waitFor();
            String line = run.awaitLine(l -> l.contains(" " + child.pid() + " "), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no kill of " + child.pid() + ": " + run.errors()));
            List<String> c = Runs.columns(line, 6);
            assertTrue(c.get(0).matches("\\d\\d:\\d\\d:\\d\\d"), line);
            assertEquals(ProcessHandle.current().pid(), Long.parseLong(c.get(1)));
            assertEquals(List.of("15", String.valueOf(child.pid()), "0"), c.subList(3, 6));
            assertEquals(0, run.stop(Runs.READY));
        }
    }

    @Test
    void failedKillsAsJson() throws Exception {
        // far above any pid_max, so kill() fails with ESRCH; random, so no other test sends it
        int nobody = 1_000_000_000 + ThreadLocalRandom.current().nextInt(1_000_000_000);
        try (ToolRun run = Runs.started("killsnoop", "--json", "-x", "-s", "0", "-T", String.valueOf(nobody))) {
            Runs.sh("/bin/sh", "-c", "kill -0 " + nobody + " || true"); // the shell's own kill: comm sh
            JsonNode e = Runs.json(run.awaitLine(l -> l.startsWith("{"), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no kill of " + nobody + ": " + run.errors())));
            assertEquals(nobody, e.get("tpid").asLong());
            assertEquals(0, e.get("sig").asInt());
            assertEquals(-3, e.get("result").asInt(), "ESRCH: " + e);
            assertEquals("sh", e.get("comm").asText());
        }
    }
}
