package dev.jbcc.trace;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.internal.sys.Privileges;
import dev.jbcc.internal.sys.Privileges.Capability;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

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
            String closed = found.isEmpty() ? closedToThisProcess(List.of(TRACEFS, DEBUGFS_TRACING)) : null;
            if (closed != null) throw new SyscallException("open " + TRACEFS, Errno.EACCES, closed);
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

    /**
     * Why tracefs, mounted at one of {@code roots}, is out of this process's reach, or null when
     * it is not (usable, or not mounted at all): the directory this process may not enter (the
     * tracefs root is 0700 root; so is /sys/kernel/debug), with its mode and owner, and the
     * capabilities the process lacks for it and for tracing. Checking {@code events} alone cannot
     * tell the two apart: a directory that cannot be entered does not seem to exist.
     */
    public static String closedToThisProcess(List<Path> roots) {
        for (Path root : roots) {
            if (Files.isDirectory(root.resolve("events"))) return null;
        }
        for (Path root : roots) {
            Path closed = firstClosed(root);
            if (closed == null) continue;
            String mode;
            try {
                int m = (Integer) Files.getAttribute(closed, "unix:mode");
                mode = String.format("mode %04o, owner uid %d", m & 07777, (Integer) Files.getAttribute(closed, "unix:uid"));
            } catch (java.io.IOException | UnsupportedOperationException e) {
                mode = "not searchable";
            }
            Set<Capability> have = Privileges.effective();
            var sb = new StringBuilder("tracefs ").append(mountedAt(root) ? "is mounted at " + root : "would be at " + root)
                    .append(", but this process (uid ").append(uid()).append(") may not enter ").append(closed)
                    .append(" (").append(mode).append(")");
            if (!have.contains(Capability.DAC_OVERRIDE) && !have.contains(Capability.DAC_READ_SEARCH)) {
                sb.append(" without CAP_DAC_READ_SEARCH, which it lacks");
            }
            Set<Capability> bpf = Privileges.missingForBpf();
            if (!bpf.isEmpty()) {
                sb.append("; for tracing it also lacks ")
                        .append(bpf.stream().map(Capability::toString).collect(Collectors.joining(", ")));
            }
            return sb.append(": run as root").toString();
        }
        return null;
    }

    /** The first directory on the way to {@code path} that exists but cannot be searched, or null. */
    private static Path firstClosed(Path path) {
        Path at = path.getRoot();
        for (Path name : path) {
            at = at.resolve(name);
            if (!Files.exists(at)) return null;
            if (!Files.isExecutable(at)) return at;
        }
        return null;
    }

    /** Whether /proc/self/mountinfo lists a tracefs mount at {@code dir}. */
    private static boolean mountedAt(Path dir) {
        try (var lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            // id parent major:minor root mount-point options [optional…] - fstype source super-options
            return lines.map(l -> List.of(l.split(" "))).anyMatch(f -> {
                int dash = f.indexOf("-");
                return dash > 4 && dash + 1 < f.size() && f.get(4).equals(dir.toString()) && f.get(dash + 1).equals("tracefs");
            });
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
