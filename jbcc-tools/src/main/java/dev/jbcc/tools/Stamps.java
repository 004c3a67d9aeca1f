package dev.jbcc.tools;

import java.util.ArrayList;
import java.util.List;

/**
 * The time columns many bcc tools may put in front of each event: the wall clock ({@code TIME},
 * HH:MM:SS, usually {@code -T}) and the seconds since the tool's first event ({@code TIME(s)},
 * usually {@code -t}), measured with the events' own kernel timestamps.
 *
 * <pre>{@code
 * Stamps stamps = new Stamps(time, timestamp);
 * Columns out = stamps.prepend(columns, "%-9s", "%-9.3f");
 * ...
 * List<Object> row = stamps.start(e.getLong("ts_us") * 1000);
 * }</pre>
 */
public final class Stamps {
    private final boolean clock;
    private final boolean elapsed;
    private long first = -1;

    /** {@code clock}: a TIME column; {@code elapsed}: a TIME(s) column. */
    public Stamps(boolean clock, boolean elapsed) {
        this.clock = clock;
        this.elapsed = elapsed;
    }

    /** {@code columns} with TIME ({@code clockFormat}) and then TIME(s) ({@code elapsedFormat}) in front, those chosen. */
    public Columns prepend(Columns columns, String clockFormat, String elapsedFormat) {
        Columns c = columns;
        if (elapsed) c = c.prepend(elapsedFormat, "TIME(s)");
        if (clock) c = c.prepend(clockFormat, "TIME");
        return c;
    }

    /** A row's first values, for an event the kernel stamped at {@code nanos} (bpf_ktime_get_ns). */
    public List<Object> start(long nanos) {
        List<Object> row = new ArrayList<>();
        if (clock) row.add(Session.clock());
        if (elapsed) {
            if (first < 0) first = nanos;
            row.add((nanos - first) / 1e9);
        }
        return row;
    }
}
