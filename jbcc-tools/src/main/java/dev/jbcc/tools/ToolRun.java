package dev.jbcc.tools;

import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A tool running inside this JVM, on a thread of its own, its output captured: what the tests use
 * (a JVM per tool costs ~100 s under QEMU), and a way to embed a tool. {@link #awaitReady} returns
 * once everything is attached; {@link #stop} asks the tool to end as Ctrl-C would and returns its
 * exit status.
 *
 * <pre>{@code
 * try (ToolRun run = ToolRun.start("execsnoop", "-n", "true")) {
 *     run.awaitReady(Duration.ofSeconds(60));
 *     new ProcessBuilder("true").start().waitFor();
 *     String line = run.awaitLine(l -> l.startsWith("true "), Duration.ofSeconds(10)).orElseThrow();
 * }
 * }</pre>
 */
public final class ToolRun implements AutoCloseable {
    private final Lines out = new Lines();
    private final Lines err = new Lines();
    private final Stop stop = new Stop();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Thread thread;
    private volatile int status = -1;

    private ToolRun(String name, String[] args) {
        Tools.Entry entry = Tools.find(name).orElseThrow(() -> new IllegalArgumentException("no tool named " + name));
        Tool tool = entry.create();
        tool.stop = stop;
        tool.onReady = ready::countDown;
        var cl = Tools.commandLine(entry, tool);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        thread = Thread.ofPlatform().name("jbcc-tool-" + name).start(() -> {
            try {
                status = cl.execute(args);
            } finally {
                ready.countDown();
                out.close();
                err.close();
            }
        });
    }

    /** Starts {@code name} with {@code args} (as after {@code jbcc NAME} on the command line). */
    public static ToolRun start(String name, String... args) {
        return new ToolRun(name, args);
    }

    /**
     * Waits until the tool is tracing (or has ended, e.g. on an error).
     *
     * @return whether it is tracing
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return ready.getCount() == 0 && thread.isAlive();
    }

    /** The first line of standard output that matches, waiting up to {@code timeout} for it. */
    public Optional<String> awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        return out.await(match, timeout);
    }

    /** Standard output so far, line by line. */
    public List<String> lines() {
        return out.lines();
    }

    /** Standard output so far. */
    public String output() {
        return String.join("\n", out.lines());
    }

    /** Standard error so far. */
    public String errors() {
        return String.join("\n", err.lines());
    }

    /** Waits for the tool to end by itself (its duration or count); its exit status, or -1 if it is still running. */
    public int await(Duration timeout) throws InterruptedException {
        thread.join(timeout);
        return thread.isAlive() ? -1 : status;
    }

    /** Asks the tool to stop (as Ctrl-C) and waits for it: its exit status, or -1 if it did not end in time. */
    public int stop(Duration timeout) throws InterruptedException {
        stop.request();
        return await(timeout);
    }

    /** Stops the tool, waiting up to five minutes (symbolizing a big process under emulation takes a while). */
    @Override
    public void close() throws InterruptedException {
        if (stop(Duration.ofMinutes(5)) == -1 && thread.isAlive()) {
            throw new IllegalStateException("tool " + thread.getName() + " did not stop within five minutes");
        }
    }

    /** A writer that keeps whole lines and wakes whoever waits for one. */
    private static final class Lines extends Writer {
        private final StringBuilder partial = new StringBuilder();
        private final List<String> lines = new ArrayList<>();
        private boolean closed;

        @Override
        public synchronized void write(char[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (buf[i] == '\n') {
                    lines.add(partial.toString());
                    partial.setLength(0);
                } else {
                    partial.append(buf[i]);
                }
            }
            notifyAll();
        }

        @Override
        public void flush() {
        }

        @Override
        public synchronized void close() {
            if (!partial.isEmpty()) lines.add(partial.toString());
            partial.setLength(0);
            closed = true;
            notifyAll();
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }

        synchronized Optional<String> await(Predicate<String> match, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) return Optional.of(lines.get(seen));
                }
                long left = deadline - System.nanoTime();
                if (closed || left <= 0) return Optional.empty();
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }
}
