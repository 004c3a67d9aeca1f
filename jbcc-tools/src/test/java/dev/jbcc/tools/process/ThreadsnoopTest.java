package dev.jbcc.tools.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** threadsnoop on the threads this JVM starts: each Java platform thread is a pthread_create() in libc. */
class ThreadsnoopTest {
    // Each event names its start function from the creating process's ELF symbols; on a busy machine
    // the other JVMs' threads come first, and reading their libjvm's symbol table takes a while.
    private static final Duration SYMBOLIZED = Duration.ofMinutes(2);

    @Test
    void showsAThreadTheTestStartsWithItsStartFunction() throws Exception {
        String comm = Files.readString(Path.of("/proc/thread-self/comm")).strip();
        long pid = ProcessHandle.current().pid();
        try (ToolRun run = Runs.started("threadsnoop")) {
            assertEquals("TIME(ms)   PID     COMM             FUNC", run.lines().getFirst());
            Thread t = Thread.ofPlatform().start(() -> { });
            t.join();
            String line = run.awaitLine(l -> l.matches("\\d+\\s+" + pid + "\\s.*"), SYMBOLIZED).orElseThrow(
                    () -> new AssertionError("no thread of " + pid + ": " + run.output() + run.errors()));
            List<String> c = Runs.columns(line, 4);
            assertTrue(Long.parseLong(c.get(0)) >= 0, line);
            assertEquals(comm, c.get(2), "the thread that called pthread_create");
            // HotSpot starts its threads in a function of libjvm; its symbol table names it
            assertTrue(c.get(3).matches("[A-Za-z_][\\w:]*"), "a symbol, not an address: " + line);
            assertEquals(0, run.stop(Runs.READY), run.errors());
        }
    }

    @Test
    void json() throws Exception {
        long pid = ProcessHandle.current().pid();
        try (ToolRun run = Runs.started("threadsnoop", "--json")) {
            Thread.ofPlatform().start(() -> { }).join();
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"pid\":" + pid + ","), SYMBOLIZED).orElseThrow(
                    () -> new AssertionError("no thread of " + pid + ": " + run.output() + run.errors())));
            assertNotEquals("", e.get("func").asText());
            assertTrue(e.has("time_ms") && e.has("comm"), e.toString());
        }
    }
}
