package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gethostlatency on getent looking up an address of its own (getaddrinfo, answered without DNS). */
class GethostlatencyTest {
    private static String address() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "127." + r.nextInt(1, 255) + "." + r.nextInt(1, 255) + "." + r.nextInt(1, 255);
    }

    private static long getent(String host) throws Exception {
        Process p = new ProcessBuilder("getent", "ahosts", host).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), "getent ahosts " + host);
        return p.pid();
    }

    @Test
    void showsTheLookupWithItsProcessAndLatency() throws Exception {
        String host = address();
        try (ToolRun run = Runs.started("gethostlatency")) {
            assertEquals("TIME      PID     COMM                  LATms HOST", run.lines().getFirst());
            long pid = getent(host);
            String line = run.awaitLine(l -> l.endsWith(" " + host), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no lookup of " + host + ": " + run.output() + run.errors()));
            List<String> col = Runs.columns(line, 5);
            assertEquals(pid, Long.parseLong(col.get(1)), line);
            assertEquals("getent", col.get(2));
            double ms = Double.parseDouble(col.get(3));
            assertTrue(ms >= 0 && ms < 10_000, line);
            assertEquals(0, run.stop(Runs.READY), run.errors());
        }
    }

    @Test
    void anotherPidLeavesItOutAndJsonHasTheHost() throws Exception {
        String host = address();
        try (ToolRun other = Runs.started("gethostlatency", "-p", Long.toString(ProcessHandle.current().pid()));
             ToolRun run = Runs.started("gethostlatency", "--json")) {
            getent(host);
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"" + host + "\""), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no lookup of " + host + ": " + run.output() + run.errors())));
            assertEquals("getent", e.get("comm").asText());
            assertTrue(e.get("latms").asDouble() >= 0);
            assertEquals(0, other.stop(Runs.READY), other.errors());
            assertTrue(other.lines().stream().noneMatch(l -> l.contains(host)), other.output());
        }
    }
}
