package dev.jbcc.tools;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Duration;

/**
 * bcc's {@code [interval [count]]} positional arguments, as a picocli mixin:
 * {@code @Mixin IntervalCount every = new IntervalCount();}, then
 * {@code s.everyInterval(every.interval(1), every.count(), print)}.
 */
public final class IntervalCount {
    @Spec(Spec.Target.MIXEE)
    CommandSpec tool;

    @Parameters(index = "0", arity = "0..1", paramLabel = "interval", description = "Output interval, in seconds.")
    Integer interval;

    @Parameters(index = "1", arity = "0..1", paramLabel = "count", description = "Number of outputs (default: until Ctrl-C).")
    Long count;

    /**
     * The interval given, or {@code defaultSeconds}.
     *
     * @throws CommandLine.ParameterException (a usage error) for an interval or count that is not positive
     */
    public Duration interval(long defaultSeconds) {
        if (interval != null && interval <= 0) throw new CommandLine.ParameterException(tool.commandLine(), "interval must be positive, not " + interval);
        if (count != null && count <= 0) throw new CommandLine.ParameterException(tool.commandLine(), "count must be positive, not " + count);
        return Duration.ofSeconds(interval == null ? defaultSeconds : interval);
    }

    /** The number of outputs, 0 for no limit (what {@link Session#everyInterval} takes). */
    public long count() {
        return count == null ? 0 : count;
    }
}
