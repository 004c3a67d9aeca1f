package dev.jbcc.tools.tracing;

import java.time.Duration;

/**
 * bcc's {@code -i INTERVAL -d DURATION} pair of the multitools: a summary every interval (or once,
 * at the end), for the duration (or until Ctrl-C).
 *
 * @param every time between summaries
 * @param count summaries to print; 0 until stopped
 */
record Intervals(Duration every, long count) {
    /**
     * From the options as given (null: not given), in seconds.
     *
     * @throws IllegalArgumentException for a value that is not positive
     */
    static Intervals of(Integer interval, Integer duration) {
        if (interval != null && interval <= 0) throw new IllegalArgumentException("interval must be positive, not " + interval);
        if (duration != null && duration <= 0) throw new IllegalArgumentException("duration must be positive, not " + duration);
        if (interval == null && duration == null) return new Intervals(Duration.ofSeconds(99_999_999L), 0);
        long every = interval != null ? interval : duration;
        long count = duration == null ? 0 : Math.max(1, (duration + every - 1) / every);
        return new Intervals(Duration.ofSeconds(every), count);
    }
}
