package dev.jbcc.tools;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Duration;

/**
 * bcc's {@code [interval [count]]} positional arguments, as a picocli mixin: {@code @Mixin
 * Interval interval;} in a tool. Zero or negative values are usage errors; without an interval a
 * tool prints when stopped (or every {@link #every(long) default} seconds), without a count until
 * stopped: a {@link Intervals.Period}.
 */
public final class Interval {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    private Integer seconds;
    private long count;

    @Parameters(index = "0", arity = "0..1", paramLabel = "interval", description = "Output interval, in seconds.")
    void seconds(int seconds) {
        if (seconds <= 0) throw new CommandLine.ParameterException(spec.commandLine(), "interval must be positive, not " + seconds);
        this.seconds = seconds;
    }

    @Parameters(index = "1", arity = "0..1", paramLabel = "count", description = "Number of outputs.")
    void count(long count) {
        if (count <= 0) throw new CommandLine.ParameterException(spec.commandLine(), "count must be positive, not " + count);
        this.count = count;
    }

    /** Whether an interval was given. */
    public boolean given() {
        return seconds != null;
    }

    /** The interval given, or {@code defaultSeconds}. */
    public Duration every(long defaultSeconds) {
        return Duration.ofSeconds(seconds != null ? seconds : defaultSeconds);
    }

    /** The interval given (or {@code defaultSeconds}), {@code count} times. */
    public Intervals.Period period(long defaultSeconds) {
        return new Intervals.Period(every(defaultSeconds), count);
    }

    /** The interval given (or print only when stopped), {@code count} times. */
    public Intervals.Period period() {
        return new Intervals.Period(seconds != null ? Duration.ofSeconds(seconds) : Intervals.FOREVER, count);
    }
}
