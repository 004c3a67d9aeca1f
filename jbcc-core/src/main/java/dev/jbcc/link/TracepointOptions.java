package dev.jbcc.link;

import java.util.Objects;

/**
 * Where a {@link TracepointLink} attaches: a tracefs tracepoint {@code category:name}, such as
 * {@code syscalls:sys_enter_openat} (see /sys/kernel/tracing/events).
 *
 * @param category the directory under events/ ({@code syscalls}, {@code sched})
 * @param name     the tracepoint ({@code sys_enter_openat})
 * @param cookie   a value the program reads with {@code bpf_get_attach_cookie} (5.15+), or 0
 */
public record TracepointOptions(String category, String name, long cookie) {
    public TracepointOptions {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(name, "name");
        if (category.isEmpty() || name.isEmpty() || category.contains("/") || name.contains("/")) {
            throw new IllegalArgumentException("a tracepoint is CATEGORY:NAME, e.g. syscalls:sys_enter_openat; got '"
                    + category + ":" + name + "'");
        }
    }

    public static TracepointOptions of(String category, String name) {
        return new TracepointOptions(category, name, 0);
    }

    /** {@code "syscalls:sys_enter_openat"} or {@code "syscalls/sys_enter_openat"} (the SEC() spelling). */
    public static TracepointOptions parse(String tracepoint) {
        int sep = tracepoint.indexOf(':');
        if (sep < 0) sep = tracepoint.indexOf('/');
        if (sep < 0) {
            throw new IllegalArgumentException("'" + tracepoint + "' is not CATEGORY:NAME (e.g. syscalls:sys_enter_openat)");
        }
        return of(tracepoint.substring(0, sep), tracepoint.substring(sep + 1));
    }

    public TracepointOptions withCookie(long cookie) {
        return new TracepointOptions(category, name, cookie);
    }

    @Override
    public String toString() {
        return category + ":" + name + (cookie != 0 ? " (cookie " + cookie + ")" : "");
    }
}
