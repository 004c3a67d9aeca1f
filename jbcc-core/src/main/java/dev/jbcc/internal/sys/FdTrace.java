package dev.jbcc.internal.sys;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records where each {@link Fd} was opened, so that tests can name the code that leaked one.
 * Off unless the system property {@code jbcc.fdtrace} is "true" or {@link #enable()} was
 * called: then every open costs one stack capture.
 */
public final class FdTrace {
    private FdTrace() {}

    /** Where an Fd was opened, and a sequence number to tell old Fds from new ones. */
    public record Origin(long sequence, Throwable where) {}

    private static volatile boolean enabled = Boolean.getBoolean("jbcc.fdtrace");
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final Map<Fd.State, Origin> OPEN = new ConcurrentHashMap<>();
    private static final List<Origin> COLLECTED_OPEN = new CopyOnWriteArrayList<>();

    /** Starts recording; Fds opened before this call are not tracked. */
    public static void enable() {
        enabled = true;
    }

    public static boolean isEnabled() {
        return enabled;
    }

    /** The current sequence number: Fds opened after this have a larger one. */
    public static long mark() {
        return SEQUENCE.get();
    }

    /** Fds opened after {@code mark} that are still open, plus those the Cleaner closed. */
    public static List<Origin> leakedSince(long mark) {
        var leaks = new ArrayList<Origin>();
        for (Origin o : OPEN.values()) if (o.sequence() > mark) leaks.add(o);
        for (Origin o : COLLECTED_OPEN) if (o.sequence() > mark) leaks.add(o);
        leaks.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        return leaks;
    }

    static void opened(Fd.State state) {
        if (!enabled) return;
        long seq = SEQUENCE.incrementAndGet();
        OPEN.put(state, new Origin(seq, new Throwable("fd opened here (#" + seq + ")")));
    }

    static void closed(Fd.State state) {
        if (!OPEN.isEmpty()) OPEN.remove(state);
    }

    /** Called by the Cleaner for an Fd collected while open; returns its origin, or null if untracked. */
    static Throwable collected(Fd.State state) {
        Origin origin = OPEN.remove(state);
        if (origin == null) return null;
        COLLECTED_OPEN.add(origin);
        return origin.where();
    }
}
