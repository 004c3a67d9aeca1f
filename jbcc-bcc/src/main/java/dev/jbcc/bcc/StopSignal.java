package dev.jbcc.bcc;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM for a program that must clean up before it exits: what bcc's Python
 * tools get from {@code except KeyboardInterrupt}. Java runs shutdown hooks on those signals, not
 * the rest of {@code main}, so without help a tool would exit with XDP programs still on devices,
 * qdiscs in place and its summary unprinted. While one of these is open, a signal wakes
 * {@link #sleep} and holds the JVM's exit until {@link #close()} (for at most {@value #GRACE_SECONDS}
 * seconds):
 * <pre>{@code
 * try (StopSignal stop = StopSignal.trap(); BPF b = BPF.fromText(text)) {
 *     while (stop.sleep(Duration.ofSeconds(1))) printCounts(b);   // until Ctrl-C
 *     printSummary(b);
 * }
 * }</pre>
 * Open the {@code StopSignal} first, so that it closes last, after what it protects.
 */
public final class StopSignal implements AutoCloseable {
    /** How long a signal waits for {@link #close()} before the JVM exits regardless. */
    public static final int GRACE_SECONDS = 5;

    private final CountDownLatch signalled = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;

    private StopSignal(String name) {
        hook = new Thread(() -> {
            signalled.countDown();
            try {
                closed.await(GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts catching Ctrl-C and SIGTERM. */
    public static StopSignal trap() {
        return new StopSignal("jbcc-stop-signal");
    }

    /** Whether Ctrl-C or SIGTERM came. */
    public boolean received() {
        return signalled.getCount() == 0;
    }

    /**
     * Sleeps for {@code duration} or until a signal comes, whichever is first.
     *
     * @return true if the whole duration passed, false if a signal came (before or during the sleep)
     */
    public boolean sleep(Duration duration) {
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException longerThan292Years) {
            nanos = Long.MAX_VALUE;
        }
        try {
            return !signalled.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Sleeps until {@code deadline} ({@link System#nanoTime()} units; {@code Long.MAX_VALUE}: no
     * deadline) or until a signal comes. Returns true if the deadline passed, false on a signal.
     */
    public boolean sleepUntil(long deadline) {
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        return left <= 0 ? !received() : sleep(Duration.ofNanos(left));
    }

    /** Cleaned up: the JVM may exit now if a signal came; otherwise the hook is removed. Idempotent. */
    @Override
    public void close() {
        closed.countDown();
        if (!received()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // System.exit from elsewhere: the hook runs and returns at once, since closed is counted down
            }
        }
    }
}
