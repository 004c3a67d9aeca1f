package dev.jbcc.tools;

import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;

import java.time.Duration;

/**
 * When bcc's summary tools print: every interval, a number of times, or once on Ctrl-C. The
 * positional {@code [interval [count]]} of most tools ({@link Interval}) and the multitools'
 * {@code -i INTERVAL -d DURATION} both come down to a {@link Period}.
 */
public final class Intervals {
    /** bcc's "forever": the interval of a tool that prints only when stopped. */
    static final Duration FOREVER = Duration.ofSeconds(99_999_999L);

    private Intervals() {
    }

    /**
     * When summaries are printed.
     *
     * @param every time between summaries ({@link #FOREVER}: only when stopped)
     * @param count summaries to print; 0 until stopped
     */
    public record Period(Duration every, long count) {
    }

    /**
     * bcc's multitools' {@code -i INTERVAL -d DURATION} (either may be null: not given), in
     * seconds: a summary every interval until the duration is over; with only a duration, one at
     * its end; with neither, one on Ctrl-C.
     *
     * @throws IllegalArgumentException for a value that is not positive
     */
    public static Period forDuration(Integer interval, Integer duration) {
        if (interval != null && interval <= 0) throw new IllegalArgumentException("interval must be positive, not " + interval);
        if (duration != null && duration <= 0) throw new IllegalArgumentException("duration must be positive, not " + duration);
        if (interval == null && duration == null) return new Period(FOREVER, 0);
        long every = interval != null ? interval : duration;
        long count = duration == null ? 0 : Math.max(1, (duration + every - 1) / every);
        return new Period(Duration.ofSeconds(every), count);
    }

    /** Runs {@code print} as {@code period} says. */
    public static void every(Session s, Period period, Runnable print) {
        s.everyInterval(period.every(), period.count(), print);
    }

    /** What starts each summary, as bcc prints it: a blank line, and the time with {@code -T} (nothing under {@code --json}). */
    public static void heading(Session s, boolean timestamp) {
        if (s.json()) return;
        s.out().println();
        if (timestamp) s.out().println(Session.clock());
    }

    /**
     * The usual summary: each period a blank line, the time with {@code -T}, the log2 histogram of
     * {@code dist} (JSON under {@code --json}), then {@code dist} cleared, then {@code after} (a
     * tool's extra lines).
     */
    public static void log2(Session s, KeyedTable<?> dist, Histogram.Options options, boolean timestamp, Period period, Runnable after) {
        every(s, period, () -> {
            heading(s, timestamp);
            s.log2Hist(dist, options);
            dist.clear();
            after.run();
        });
    }
}
