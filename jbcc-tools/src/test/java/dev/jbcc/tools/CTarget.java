package dev.jbcc.tools;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small C program the tracing and memory tools' tests compile (gcc, from scripts/deps) and run,
 * so that uprobes, USDT probes, PID filters and syscall tracepoints see calls the test itself
 * makes: {@code target CALLS MICROS TAG [wait]} calls {@code jbcc_work(MICROS, TAG)} CALLS times
 * (each fires USDT probe {@code jbcc:work} with both arguments, sleeps MICROS µs and returns
 * MICROS + strlen(TAG)), then {@code jbcc_idle(CALLS)} once (returns CALLS * 3), then
 * {@code jbcc_leak(CALLS)} once (mallocs 5000 bytes CALLS times and never frees them). With a
 * fourth argument it first waits for a line on its standard input, so that a tool can be started
 * on its PID, and after its calls says "done" and waits for another line, so that a tool can
 * still read its memory map (to name the functions of its stacks).
 */
public final class CTarget {
    private static final String SOURCE = """
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <unistd.h>
            #include <sys/sdt.h>
            __attribute__((noinline)) long jbcc_work(long us, const char *tag)
            {
                DTRACE_PROBE2(jbcc, work, us, tag);
                if (us > 0)
                    usleep(us);
                return us + strlen(tag);
            }
            __attribute__((noinline)) long jbcc_idle(long n)
            {
                return n * 3;
            }
            static void *kept[1024];
            __attribute__((noinline)) void jbcc_leak(long n)
            {
                for (long i = 0; i < n && i < 1024; i++)
                    kept[i] = malloc(5000);
            }
            int main(int argc, char **argv)
            {
                if (argc < 4)
                    return 2;
                if (argc > 4)
                    getchar();
                long calls = atol(argv[1]), us = atol(argv[2]);
                for (long i = 0; i < calls; i++)
                    jbcc_work(us, argv[3]);
                jbcc_idle(calls);
                jbcc_leak(calls);
                if (argc > 4) {
                    printf("done\\n");
                    fflush(stdout);
                    getchar();
                }
                return 0;
            }
            """;

    private final Path binary;

    private CTarget(Path binary) {
        this.binary = binary;
    }

    private static CTarget shared;

    /**
     * The program, compiled once per JVM into a directory of its own that is removed when the JVM
     * ends.
     */
    public static synchronized CTarget shared() throws IOException, InterruptedException {
        if (shared == null) {
            Path dir = Files.createTempDirectory("jbcc-target");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // a temporary directory; the system cleans it eventually
                }
            }));
            shared = compile(dir);
        }
        return shared;
    }

    /** Compiles the program into {@code dir}. */
    public static CTarget compile(Path dir) throws IOException, InterruptedException {
        Path source = dir.resolve("jbcc_target.c");
        Files.writeString(source, SOURCE);
        Path binary = dir.resolve("jbcc_target");
        Runs.sh("gcc", "-O0", "-g", "-o", binary.toString(), source.toString());
        return new CTarget(binary);
    }

    /** The executable's path. */
    public Path path() {
        return binary;
    }

    /** Runs it to its end. */
    public void run(int calls, int micros, String tag) throws IOException, InterruptedException {
        Runs.sh(binary.toString(), String.valueOf(calls), String.valueOf(micros), tag);
    }

    /** Starts it waiting for {@link Waiting#go}: its PID is known before it makes its calls. */
    public Waiting start(int calls, int micros, String tag) throws IOException {
        return new Waiting(new ProcessBuilder(binary.toString(), String.valueOf(calls), String.valueOf(micros), tag, "wait")
                .redirectErrorStream(true).start());
    }

    /** A started program, waiting for its go. */
    public record Waiting(Process process) implements AutoCloseable {
        public long pid() {
            return process.pid();
        }

        /** Lets it make its calls and waits until they are done; it then waits for {@link #close}. */
        public void go() throws IOException {
            OutputStream in = process.getOutputStream();
            in.write('\n');
            in.flush();
            byte[] done = process.getInputStream().readNBytes(5);
            if (!new String(done, java.nio.charset.StandardCharsets.US_ASCII).equals("done\n")) {
                throw new AssertionError("the target said " + new String(done, java.nio.charset.StandardCharsets.US_ASCII));
            }
        }

        /** Lets it end. */
        @Override
        public void close() throws IOException, InterruptedException {
            try (OutputStream in = process.getOutputStream()) {
                in.write('\n');
            } catch (IOException gone) {
                // it ended already
            }
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }
}
