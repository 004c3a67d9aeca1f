package dev.jbcc.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One of the repository's {@code examples/*.java} running as {@code ./jbcc examples/X.java} runs it:
 * Java's source launcher, through {@link dev.jbcc.cli.ScriptMain} as the launcher runs it, with jbcc on the class path (here the test's own class path, so it works
 * the same on the host and in the VM harness) and native access enabled. Standard output is read
 * line by line as it comes, so a test can wait for the example's "attached" line, cause events,
 * then wait for the lines they produce. {@link #close()} kills the example if it is still running.
 */
final class ExampleProcess implements AutoCloseable {
    private static final String EOF = new String("<eof>");
    private final String name;
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Path stderr;

    private ExampleProcess(String name, Process process, Path stderr) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        Thread.ofVirtual().name("example-" + name).start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) lines.add(line);
            } catch (IOException e) {
                lines.add("<read failed: " + e + ">");
            } finally {
                lines.add(EOF);
            }
        });
    }

    /** The directory {@code examples/} of the repository the tests run in. */
    static Path examplesDirectory() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("examples")) && Files.isRegularFile(dir.resolve("jbcc"))) return dir.resolve("examples");
        }
        return fail("no examples/ directory above " + Path.of("").toAbsolutePath());
    }

    /** Starts {@code examples/<file>} with {@code args}. */
    static ExampleProcess start(String file, String... args) {
        return start(List.of(), file, args);
    }

    /**
     * Starts {@code examples/<file>} inside network namespace {@code namespace} ({@code ip netns
     * exec}, which then runs java itself: the process is the example's JVM).
     */
    static ExampleProcess startInNamespace(String namespace, String file, String... args) {
        return start(List.of("ip", "netns", "exec", namespace), file, args);
    }

    private static ExampleProcess start(List<String> prefix, String file, String... args) {
        Path source = examplesDirectory().resolve(file);
        if (!Files.isRegularFile(source)) fail("no example " + source);
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "--add-exports", "jdk.compiler/com.sun.tools.javac.launcher=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                dev.jbcc.cli.ScriptMain.class.getName(), source.toString()));
        command.addAll(List.of(args));
        try {
            Path err = Files.createTempFile("example-" + file, ".err");
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            return new ExampleProcess(file, p, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for an output line matching {@code match}; fails with everything printed so far if none comes. */
    String awaitLine(Predicate<String> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (line == null) return fail(name + " printed no matching line within " + timeout + "\n" + transcript());
                if (line == EOF) {
                    lines.add(EOF);
                    return fail(name + " ended without a matching line\n" + transcript());
                }
                seen.add(line);
                if (match.test(line)) return line;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /** Waits for a line containing {@code text}. */
    String awaitLine(String text, Duration timeout) {
        return awaitLine(line -> line.contains(text), timeout);
    }

    /** Waits for the example to end by itself; returns every line it printed. Fails on a non-zero exit. */
    List<String> finish(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail(name + " still running after " + timeout + "\n" + transcript());
            }
            for (String line = lines.poll(5, TimeUnit.SECONDS); line != null && line != EOF; line = lines.poll(5, TimeUnit.SECONDS)) {
                seen.add(line);
            }
            if (process.exitValue() != 0) fail(name + " exited with " + process.exitValue() + "\n" + transcript());
            return List.copyOf(seen);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /** Waits for the example to end; returns its exit status (for examples expected to fail). */
    int exitStatus(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) fail(name + " still running after " + timeout);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /**
     * Stops the example as Ctrl-C would: SIGTERM, which like SIGINT runs the JVM's shutdown hooks
     * (SIGINT itself may be ignored by a JVM started from a background job). Waits for it to end;
     * fails if it does not, or if it wrote an exception to standard error. Returns every line printed.
     */
    List<String> interrupt(Duration timeout) {
        process.toHandle().destroy(); // Process.destroy() would also close our end of its stdout before we read it all
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) fail(name + " still running " + timeout + " after SIGTERM\n" + transcript());
            for (String line = lines.poll(5, TimeUnit.SECONDS); line != null && line != EOF; line = lines.poll(5, TimeUnit.SECONDS)) {
                seen.add(line);
            }
            if (stderr().contains("Exception")) fail(name + " failed while stopping\n" + transcript());
            return List.copyOf(seen);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /** What the example wrote to standard error. */
    String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String transcript() {
        return "--- stdout so far:\n" + String.join("\n", seen) + "\n--- stderr:\n" + stderr();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy(); // our own child: SIGTERM lets its shutdown hooks run
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
