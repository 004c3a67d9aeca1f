package dev.jbcc.trace;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.internal.sys.Libc;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where tracefs is: {@code /sys/kernel/tracing}, or the older {@code /sys/kernel/debug/tracing}.
 * Tracepoint ids, kprobe and uprobe events, tracepoint formats and trace_pipe all live there.
 */
public final class Tracefs {
    /** Where tracefs is mounted today, and where jbcc mounts it. */
    public static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    /** Where kernels before 4.1 (and some distributions still) expose it, under debugfs. */
    public static final Path DEBUGFS_TRACING = Path.of("/sys/kernel/debug/tracing");

    private static final Object LOCK = new Object();
    private static volatile Path mounted;

    private Tracefs() {}

    /** The tracefs directory if tracefs is mounted, without mounting it. */
    public static Optional<Path> ifMounted() {
        Path known = mounted;
        if (known != null) return Optional.of(known);
        for (Path p : new Path[] {TRACEFS, DEBUGFS_TRACING}) {
            if (Files.isDirectory(p.resolve("events"))) return Optional.of(p);
        }
        return Optional.empty();
    }

    /**
     * The tracefs directory, mounting tracefs at {@code /sys/kernel/tracing} if nothing is mounted
     * yet (as perf and bpftrace do).
     *
     * @throws UnsupportedFeatureException if tracefs is neither mounted nor mountable
     */
    public static Path path() {
        Path known = mounted;
        if (known != null) return known;
        synchronized (LOCK) {
            Optional<Path> found = ifMounted();
            int rc = -Errno.ENOENT;
            if (found.isEmpty() && Files.isDirectory(TRACEFS)) {
                try (Arena a = Arena.ofConfined()) {
                    rc = Libc.mount(a.allocateFrom("nodev"), a.allocateFrom(TRACEFS.toString()), a.allocateFrom("tracefs"), 0);
                }
                found = ifMounted();
            }
            if (found.isEmpty()) {
                throw new UnsupportedFeatureException("tracefs (CONFIG_TRACING)", null,
                        "no tracefs at " + TRACEFS + " or " + DEBUGFS_TRACING + ", and mounting it at " + TRACEFS
                                + " failed (" + (rc < 0 ? Errno.describe(-rc) : "no events directory") + ");"
                                + " mount it yourself (mount -t tracefs nodev " + TRACEFS + ") or run as root");
            }
            mounted = found.get();
            return mounted;
        }
    }
}
