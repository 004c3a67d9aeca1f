package dev.jbcc.tools;

import dev.jbcc.bcc.StopSignal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * When a tool should stop: a request ({@link #request()}: Ctrl-C or SIGTERM from the command line,
 * {@link ToolRun#stop} in-process), or the end of its {@code -d}/duration. A tool waits on it
 * instead of sleeping, so that it prints its summary and detaches at once when asked.
 */
public final class Stop {
    private final CountDownLatch requested = new CountDownLatch(1);

    /** Asks the tool to stop; idempotent. */
    public void request() {
        requested.countDown();
    }

    /** Whether a stop was asked for. */
    public boolean requested() {
        return requested.getCount() == 0;
    }

    /**
     * Waits for {@code duration} or a stop request, whichever comes first.
     *
     * @return true if the whole duration passed, false if a stop was asked for
     */
    public boolean sleep(Duration duration) {
        try {
            return !requested.await(Math.max(0, saturatedNanos(duration)), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request();
            return false;
        }
    }

    /**
     * Forwards Ctrl-C and SIGTERM to this stop while the returned {@link StopSignal} is open; close it
     * after the tool has cleaned up (the JVM's exit waits for that).
     */
    StopSignal trapSignals() {
        StopSignal signal = StopSignal.trap();
        Thread watcher = Thread.ofPlatform().daemon().name("jbcc-stop").start(() -> {
            if (!signal.sleep(Duration.ofDays(365 * 100))) request();
        });
        watcher.setUncaughtExceptionHandler((_, _) -> { });
        return signal;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
