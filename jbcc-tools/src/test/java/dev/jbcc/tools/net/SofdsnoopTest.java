package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sofdsnoop on passfd.py passing a descriptor of a file of the test's own to itself. */
class SofdsnoopTest {
    /** Runs passfd.py on {@code file}; its pid, sent fd, received fd, sending and receiving socket fds. */
    private static long[] passfd(Path file, Process[] process) throws Exception {
        Path script = Files.createTempFile("jbcc-passfd", ".py");
        try (var in = SofdsnoopTest.class.getResourceAsStream("passfd.py")) {
            Files.write(script, in.readAllBytes());
        }
        script.toFile().deleteOnExit();
        process[0] = new ProcessBuilder("python3", script.toString(), file.toString(), "3").redirectErrorStream(true).start();
        String first = new BufferedReader(new InputStreamReader(process[0].getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(first != null && first.matches("\\d+ \\d+ \\d+ \\d+ \\d+"), "passfd.py: " + first);
        String[] f = first.split(" ");
        long[] out = new long[5];
        for (int i = 0; i < 5; i++) out[i] = Long.parseLong(f[i]);
        return out;
    }

    @Test
    void showsTheSentAndReceivedDescriptorsWithTheirFile() throws Exception {
        Path file = Files.createTempFile("jbcc-sofdsnoop", ".txt");
        Process[] p = new Process[1];
        try (ToolRun run = Runs.started("sofdsnoop", "-n", "python")) {
            assertEquals("ACTION TID    COMM             SOCKET                    FD    NAME", run.lines().getFirst());
            long[] ids = passfd(file, p);
            String pid = Long.toString(ids[0]);
            String send = run.awaitLine(l -> l.startsWith("SEND   " + pid + " "), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no SEND by " + pid + ": " + run.output() + run.errors()));
            List<String> col = Runs.columns(send, 6);
            assertTrue(col.get(2).startsWith("python"), send);
            assertTrue(col.get(3).matches(ids[3] + ":socket:\\[\\d+\\]"), send);
            assertEquals(List.of(Long.toString(ids[1]), file.toString()), col.subList(4, 6));
            String recv = run.awaitLine(l -> l.startsWith("RECV   " + pid + " "), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no RECV by " + pid + ": " + run.output() + run.errors()));
            col = Runs.columns(recv, 6);
            assertTrue(col.get(3).startsWith(ids[4] + ":socket:["), recv);
            assertEquals(List.of(Long.toString(ids[2]), file.toString()), col.subList(4, 6));
            assertEquals(0, run.stop(Runs.READY), run.errors());
        } finally {
            if (p[0] != null) p[0].destroy();
            Files.deleteIfExists(file);
        }
    }

    @Test
    void jsonForOneProcess() throws Exception {
        Path file = Files.createTempFile("jbcc-sofdsnoop", ".txt");
        Process[] p = new Process[1];
        try (ToolRun run = Runs.started("sofdsnoop", "--json", "-T")) {
            long[] ids = passfd(file, p);
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"tid\":" + ids[0] + ",") && l.contains("SEND"), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError("no SEND by " + ids[0] + ": " + run.output() + run.errors())));
            assertEquals(ids[1], e.get("fd").asLong());
            assertEquals(file.toString(), e.get("name").asText());
            assertTrue(e.get("time_s").asDouble() >= 0);
        } finally {
            if (p[0] != null) p[0].destroy();
            Files.deleteIfExists(file);
        }
    }
}
