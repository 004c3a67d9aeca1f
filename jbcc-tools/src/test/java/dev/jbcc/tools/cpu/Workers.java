package dev.jbcc.tools.cpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Threads of this JVM that the CPU tools' tests watch: each has a unique name, which the JVM makes
 * its kernel comm (up to 15 characters), so the tests find its TID in /proc/self/task and its
 * rows in a tool's output.
 */
final class Workers implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private final List<Long> tids = new ArrayList<>();
    private final String name;
    private final java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);

    private Workers(String prefix) {
        this.name = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 15 - prefix.length());
    }

    /** {@code n} threads that each sleep {@code sleep} ms, {@code times} times, then end. */
    static Workers sleepers(String prefix, int n, long sleepMs, int times) throws Exception {
        return start(prefix, n, () -> {
            try {
                for (int i = 0; i < times; i++) Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** {@code n} threads that keep a CPU busy until closed. */
    static Workers spinners(String prefix, int n) throws Exception {
        return start(prefix, n, () -> {
            long x = 0;
            while (!Thread.currentThread().isInterrupted()) x = x * 31 + System.nanoTime();
            if (x == 42) System.out.print("");
        });
    }

    private static Workers start(String prefix, int n, Runnable body) throws Exception {
        Workers w = new Workers(prefix);
        java.util.concurrent.CountDownLatch named = new java.util.concurrent.CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            w.threads.add(Thread.ofPlatform().name(w.name).start(() -> {
                named.countDown();
                try {
                    w.go.await();
                } catch (InterruptedException e) {
                    return;
                }
                body.run();
            }));
        }
        named.await();
        w.tids.addAll(findTids(w.name, n));
        return w;
    }

    private static List<Long> findTids(String comm, int n) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            List<Long> found = new ArrayList<>();
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path t : tasks.toList()) {
                    try {
                        if (Files.readString(t.resolve("comm")).strip().equals(comm)) found.add(Long.parseLong(t.getFileName().toString()));
                    } catch (IOException | UncheckedIOException gone) {
                        // a thread that ended meanwhile
                    }
                }
            }
            if (found.size() == n) return found;
            TimeUnit.MILLISECONDS.sleep(10);
        }
        fail("the JVM did not give its threads the kernel comm " + comm);
        return List.of();
    }

    /** Lets the threads begin their work (they wait for it, so that a test knows their TIDs first). */
    Workers go() {
        go.countDown();
        return this;
    }

    /** The threads' name, which is their comm. */
    String name() {
        return name;
    }

    /** Their kernel thread ids. */
    List<Long> tids() {
        return tids;
    }

    /** Waits for the threads to end by themselves. */
    void join() throws InterruptedException {
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(1));
            assertTrue(!t.isAlive(), name + " did not end");
        }
    }

    @Override
    public void close() throws InterruptedException {
        go.countDown();
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) t.join(TimeUnit.MINUTES.toMillis(1));
    }
}
