package dev.jbcc.tools.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExitsnoopTest {
    @Test
    void showsAnExitCodeAndAKillingSignalOfProcessesTheTestStarts() throws Exception {
        try (ToolRun run = Runs.started("exitsnoop", "--label", "")) {
            assertEquals("LABEL PCOMM            PID     PPID    TID     AGE(s)  EXIT_CODE", run.lines().getFirst());
            long started = System.nanoTime();
            Process code = new ProcessBuilder("/bin/sh", "-c", "exit 3").start();
            assertEquals(3, code.waitFor());
            Process killed = new ProcessBuilder("/bin/sleep", "30").start();
            Thread.sleep(200);
            killed.destroyForcibly().waitFor();
            double limit = (System.nanoTime() - started) / 1e9;

            List<String> c = Runs.columns(line(run, code.pid()), 7);
            assertEquals(List.of("exit", "sh", String.valueOf(code.pid()), String.valueOf(ProcessHandle.current().pid()),
                    String.valueOf(code.pid())), c.subList(0, 5));
            double age = Double.parseDouble(c.get(5));
            assertTrue(age >= 0 && age <= limit, "age " + age + " within the test's " + limit + " s");
            assertEquals("code 3", c.get(6));

            c = Runs.columns(line(run, killed.pid()), 7);
            assertEquals("sleep", c.get(1));
            assertTrue(Double.parseDouble(c.get(5)) >= 0.19, "it lived 0.2 s at least: " + c);
            assertEquals("signal 9 (KILL)", c.get(6));
            assertEquals(0, run.stop(Runs.READY));
        }
    }

    @Test
    void jsonWithPidFilterAndFailedOnly() throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "read x; exit ${x}").start();
        try (ToolRun run = Runs.started("exitsnoop", "--json", "-x", "-p", String.valueOf(p.pid()))) {
            p.getOutputStream().write("7\n".getBytes());
            p.getOutputStream().close();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            Process ok = new ProcessBuilder("/bin/true").start();
            ok.waitFor();
            JsonNode e = Runs.json(run.awaitLine(l -> l.startsWith("{"), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no exit of " + p.pid() + ": " + run.errors())));
            assertEquals(p.pid(), e.get("pid").asLong());
            assertEquals("code 7", e.get("exit_code").asText());
            assertEquals("sh", e.get("pcomm").asText());
            assertEquals(0, run.stop(Runs.READY));
            assertEquals(1, run.lines().size(), "only the filtered process: " + run.lines());
        }
    }

    private static String line(ToolRun run, long pid) throws InterruptedException {
        return run.awaitLine(l -> l.matches("\\S+\\s+\\S+\\s+" + pid + "\\s.*"), Runs.EVENT).orElseThrow(
                () -> new AssertionError("no exit of " + pid + ": " + run.errors()));
    }
}
