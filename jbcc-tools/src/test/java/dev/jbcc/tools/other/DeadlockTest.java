package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadlockTest {
    /**
     * Two threads take two global mutexes in opposite orders, one after the other (the second
     * starts when the first has ended), so it never deadlocks but its lock order has a cycle. It
     * waits for a line before and after, and prints both threads' ids and the mutexes' addresses.
     */
    private static final String SOURCE = """
            #define _GNU_SOURCE
            #include <pthread.h>
            #include <stdio.h>
            #include <unistd.h>
            pthread_mutex_t jbcc_first = PTHREAD_MUTEX_INITIALIZER;
            pthread_mutex_t jbcc_second = PTHREAD_MUTEX_INITIALIZER;
            static void *forward(void *arg)
            {
                pthread_mutex_lock(&jbcc_first);
                pthread_mutex_lock(&jbcc_second);
                printf("forward %d\\n", gettid());
                pthread_mutex_unlock(&jbcc_second);
                pthread_mutex_unlock(&jbcc_first);
                return arg;
            }
            static void *backward(void *arg)
            {
                pthread_mutex_lock(&jbcc_second);
                pthread_mutex_lock(&jbcc_first);
                printf("backward %d\\n", gettid());
                pthread_mutex_unlock(&jbcc_first);
                pthread_mutex_unlock(&jbcc_second);
                return arg;
            }
            int main(void)
            {
                pthread_t t;
                printf("mutexes %lx %lx\\n", (unsigned long) &jbcc_first, (unsigned long) &jbcc_second);
                fflush(stdout);
                getchar();
                pthread_create(&t, NULL, forward, NULL);
                pthread_join(t, NULL);
                pthread_create(&t, NULL, backward, NULL);
                pthread_join(t, NULL);
                printf("done\\n");
                fflush(stdout);
                getchar();
                return 0;
            }
            """;

    static Path binary;
    @TempDir
    static Path dir;

    @BeforeAll
    static void compile() throws Exception {
        Path source = dir.resolve("inversion.c");
        Files.writeString(source, SOURCE);
        binary = dir.resolve("inversion");
        Runs.sh("gcc", "-O0", "-g", "-pthread", "-o", binary.toString(), source.toString());
    }

    /** The started program; its output lines (mutexes, forward, backward, done) once it is let go. */
    private record Inversion(Process process, long first, long second) implements AutoCloseable {
        static Inversion start() throws IOException {
            Process p = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
            String line = readLine(p);
            Matcher m = Pattern.compile("mutexes ([0-9a-f]+) ([0-9a-f]+)").matcher(line);
            assertTrue(m.matches(), line);
            return new Inversion(p, Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16));
        }

        /** Lets both threads run; their thread ids, forward's first. */
        List<Integer> go() throws IOException {
            OutputStream in = process.getOutputStream();
            in.write('\n');
            in.flush();
            int forward = Integer.parseInt(readLine(process).replace("forward ", ""));
            int backward = Integer.parseInt(readLine(process).replace("backward ", ""));
            assertEquals("done", readLine(process));
            return List.of(forward, backward);
        }

        private static String readLine(Process p) throws IOException {
            StringBuilder b = new StringBuilder();
            for (int c; (c = p.getInputStream().read()) != '\n'; ) {
                if (c < 0) throw new AssertionError("the target ended: " + b);
                b.append((char) c);
            }
            return b.toString();
        }

        @Override
        public void close() throws Exception {
            try (OutputStream in = process.getOutputStream()) {
                in.write('\n');
            } catch (IOException gone) {
                // it ended already
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }

    @Test
    void reportsTheTwoMutexesTakenInOppositeOrders() throws Exception {
        Path graph = dir.resolve("graph.json");
        try (Inversion target = Inversion.start();
             ToolRun run = Runs.started("deadlock", String.valueOf(target.process().pid()), "--dump-graph", graph.toString())) {
            List<Integer> tids = target.go();
            assertEquals(0, run.await(Runs.EVENT), run.errors());
            List<String> lines = run.lines();
            String first = String.format("Mutex M\\d \\(jbcc_first 0x%016x\\)", target.first());
            String second = String.format("Mutex M\\d \\(jbcc_second 0x%016x\\)", target.second());
            String cycle = lines.stream().filter(l -> l.startsWith("Cycle in lock order graph: ")).findFirst()
                    .orElseThrow(() -> new AssertionError(run.output() + run.errors()));
            assertTrue(cycle.matches("Cycle in lock order graph: (" + first + " => " + second + " => " + first
                    + "|" + second + " => " + first + " => " + second + ")"), cycle);
            // forward took the second while holding the first, backward the other way round
            int at = indexOf(lines, second + " acquired here while holding " + first + " in Thread " + tids.get(0) + " \\(inversion\\):");
            assertTrue(lines.get(at + 1).matches("@ [0-9a-f]{16} pthread_mutex_lock.*"), run.output());
            assertTrue(lines.get(at + 2).matches("@ [0-9a-f]{16} forward"), run.output());
            indexOf(lines, first + " acquired here while holding " + second + " in Thread " + tids.get(1) + " \\(inversion\\):");
            int held = indexOf(lines, first + " previously acquired by the same Thread " + tids.get(0) + " \\(inversion\\) here:");
            assertTrue(lines.get(held + 2).matches("@ [0-9a-f]{16} forward"), run.output());
            for (int tid : tids) {
                int created = indexOf(lines, "Thread " + tid + " created by Thread " + target.process().pid() + " \\(inversion\\) here:");
                // where main made it (Debian's libc has no frame pointers: the walk gets little further than clone)
                assertTrue(lines.get(created + 1).matches("@ [0-9a-f]{16} .*"), run.output());
            }
            JsonNode dumped = Runs.json(Files.readString(graph));
            assertEquals(2, dumped.get("nodes").size(), dumped.toString());
            assertEquals(2, dumped.get("links").size(), dumped.toString());
        }
    }

    @Test
    void json() throws Exception {
        try (Inversion target = Inversion.start();
             ToolRun run = Runs.started("deadlock", "--json", String.valueOf(target.process().pid()))) {
            List<Integer> tids = target.go();
            assertEquals(0, run.await(Runs.EVENT), run.errors());
            JsonNode r = Runs.json(run.lines().getFirst());
            assertEquals(2, r.get("cycle").size(), r.toString());
            List<String> addresses = List.of(r.get("cycle").get(0).get("address").asText(), r.get("cycle").get(1).get("address").asText());
            assertTrue(addresses.containsAll(List.of(String.format("0x%016x", target.first()), String.format("0x%016x", target.second()))), r.toString());
            List<Integer> threads = List.of(r.get("edges").get(0).get("thread").asInt(), r.get("edges").get(1).get("thread").asInt());
            assertTrue(threads.containsAll(tids), r.toString());
            assertEquals(target.process().pid(), r.get("threads").get(0).get("parent").asLong(), r.toString());
        }
    }

    @Test
    void aProcessThatIsNotThere() throws Exception {
        try (ToolRun run = ToolRun.start("deadlock", "999999999")) {
            assertEquals(2, run.await(Runs.READY));
            assertTrue(run.errors().contains("no process 999999999"), run.errors());
        }
    }

    private static int indexOf(List<String> lines, String regex) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).matches(regex)) return i;
        throw new AssertionError("no line matches " + regex + " in:\n" + String.join("\n", lines));
    }
}
