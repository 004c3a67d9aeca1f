package dev.jbcc.tools;

import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;

import java.time.Duration;

/**
 * bcc's summary tools' {@code [interval] [count]} arguments: a summary every {@code interval}
 * seconds, {@code count} times, or one on Ctrl-C when no interval is given.
 */
public final class Intervals {
    /** bcc's "forever": the interval of a tool that prints only when stopped. */
    private static final long FOREVER_SECONDS = 99_999_999L;

    private Intervals() {
    }

    /** A usage error of {@code tool} unless {@code interval} and {@code count} (either may be absent) are positive. */
    public static void check(Tool tool, Integer interval, Long count) {
        if (interval != null && interval <= 0) throw tool.usage("interval must be positive, not " + interval);
        if (count != null && count <= 0) throw tool.usage("count must be positive, not " + count);
    }

    /** Runs {@code print} every {@code interval} seconds (absent: only when stopped), {@code count} times (absent: until stopped). */
    public static void every(Session s, Integer interval, Long count, Runnable print) {
        s.everyInterval(Duration.ofSeconds(interval == null ? FOREVER_SECONDS : interval), count == null ? 0 : count, print);
    }

    /** What starts each summary, as bcc prints it: a blank line, and the time with {@code -T} (nothing under {@code --json}). */
    public static void heading(Session s, boolean timestamp) {
        if (s.json()) return;
        s.out().println();
        if (timestamp) s.out().println(Session.clock());
    }

    /**
     * The usual summary: each interval a blank line, the time with {@code -T}, the log2 histogram of
     * {@code dist} (JSON under {@code --json}), then {@code dist} cleared.
     */
    public static void log2(Session s, KeyedTable<?> dist, Histogram.Options options, boolean timestamp, Integer interval, Long count) {
        log2(s, dist, options, timestamp, interval, count, () -> { });
    }

    /** {@link #log2(Session, KeyedTable, Histogram.Options, boolean, Integer, Long)}, then {@code after} each time (a tool's extra lines). */
    public static void log2(Session s, KeyedTable<?> dist, Histogram.Options options, boolean timestamp, Integer interval, Long count,
                            Runnable after) {
        every(s, interval, count, () -> {
            heading(s, timestamp);
            s.log2Hist(dist, options);
            dist.clear();
            after.run();
        });
    }
}
