package dev.jbcc.link;

import dev.jbcc.Errno;
import dev.jbcc.SyscallException;
import dev.jbcc.UnsupportedFeatureException;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.PerfEventAttr;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kernel side of a uprobe: a perf event from the uprobe PMU (4.17+) or, failing that, from a
 * tracefs {@code uprobe_events} entry. Running a program on it is shared with the other perf
 * event kinds ({@link PerfEvents}).
 */
final class UprobeEvents {
    private UprobeEvents() {}

    static final Path PMU_DIR = Path.of("/sys/bus/event_source/devices/uprobe");

    /** What the uprobe PMU offers, read once. */
    record Pmu(int type, PerfEvents.FormatField retprobe, PerfEvents.FormatField refCtrOffset) {
        static final Pmu INSTANCE = read();

        private static Pmu read() {
            int type = PerfEvents.pmuType(PMU_DIR);
            if (type < 0) return null;
            return new Pmu(type, PerfEvents.FormatField.read(PMU_DIR.resolve("format/retprobe")),
                    PerfEvents.FormatField.read(PMU_DIR.resolve("format/ref_ctr_offset")));
        }
    }

    /** The uprobe PMU, or null when the kernel has none (before 4.17, or without CONFIG_UPROBE_EVENTS). */
    static Pmu pmu() {
        return Pmu.INSTANCE;
    }

    /** perf_event_open's pid/cpu convention for probes: all processes means "any task on CPU 0", which still fires everywhere. */
    private static Fd perfEventOpen(PerfEventAttr attr, int pid, String what) {
        int fd = attr.openErrno(pid > 0 ? pid : -1, pid > 0 ? -1 : 0, -1);
        if (fd < 0) {
            int errno = -fd;
            String hint = switch (errno) {
                case Errno.ESRCH -> "no process with pid " + pid;
                case Errno.ENOENT -> "the binary does not exist";
                case Errno.EINVAL -> "the offset is not an instruction boundary in an executable segment, or a"
                        + " semaphore offset is wrong";
                default -> null;
            };
            throw new SyscallException("perf_event_open (" + what + ")", errno, hint);
        }
        return Fd.adopt(fd);
    }

    /** A uprobe perf event from the PMU. */
    static Fd openPmu(Pmu pmu, Path binary, long offset, long refCtrOffset, boolean retprobe, int pid) {
        try (Arena arena = Arena.ofConfined()) {
            long config = 0;
            if (retprobe) {
                if (pmu.retprobe() == null) {
                    throw new UnsupportedFeatureException("uretprobes through the uprobe PMU", "4.17", null);
                }
                config |= pmu.retprobe().encode(1);
            }
            if (refCtrOffset != 0) {
                if (pmu.refCtrOffset() == null) {
                    throw new UnsupportedFeatureException("USDT semaphores managed by the kernel (uprobe ref_ctr_offset)",
                            "4.20", "use a kernel that has it, or a probe without a semaphore");
                }
                config |= pmu.refCtrOffset().encode(refCtrOffset);
            }
            var attr = new PerfEventAttr(arena).type(pmu.type()).config(config)
                    .config1(arena.allocateFrom(binary.toString()).address()).config2(offset);
            return perfEventOpen(attr, pid, (retprobe ? "uretprobe " : "uprobe ") + binary + ":0x" + Long.toHexString(offset));
        }
    }

    // ---- tracefs ----

    private static final AtomicLong EVENT_COUNTER = new AtomicLong();
    static final String TRACEFS_GROUP = "jbcc_uprobes";

    /** The tracefs mount, or null. */
    static Path tracefs() {
        for (Path p : new Path[] {Path.of("/sys/kernel/tracing"), Path.of("/sys/kernel/debug/tracing")}) {
            if (Files.exists(p.resolve("uprobe_events"))) return p;
        }
        return null;
    }

    /** A tracefs uprobe event: its name and the perf event opened on it. */
    record TracefsEvent(Path tracefs, String name, Fd perfEvent) {}

    /** Adds {@code p:jbcc_uprobes/NAME PATH:0xOFF(0xREF)} to uprobe_events and opens a tracepoint perf event on it. */
    static TracefsEvent openTracefs(Path binary, long offset, long refCtrOffset, boolean retprobe, int pid) {
        Path tracefs = tracefs();
        if (tracefs == null) {
            throw new UnsupportedFeatureException("uprobes (CONFIG_UPROBE_EVENTS)", null,
                    "neither the uprobe PMU nor tracefs uprobe_events exists; mount tracefs at /sys/kernel/tracing"
                            + " (mount -t tracefs nodev /sys/kernel/tracing) or use a kernel built with CONFIG_UPROBE_EVENTS");
        }
        removeStale(tracefs);
        String name = "jbcc_" + ProcessHandle.current().pid() + "_" + EVENT_COUNTER.incrementAndGet();
        String definition = (retprobe ? "r:" : "p:") + TRACEFS_GROUP + "/" + name + " " + binary + ":0x"
                + Long.toHexString(offset) + (refCtrOffset != 0 ? "(0x" + Long.toHexString(refCtrOffset) + ")" : "");
        writeEvents(tracefs, definition);
        try {
            Path idFile = tracefs.resolve("events").resolve(TRACEFS_GROUP).resolve(name).resolve("id");
            long id = Long.parseLong(Files.readString(idFile).strip());
            try (Arena arena = Arena.ofConfined()) {
                var attr = new PerfEventAttr(arena).type(PerfEventAttr.PERF_TYPE_TRACEPOINT).config(id).samplePeriod(1);
                return new TracefsEvent(tracefs, name, perfEventOpen(attr, pid, "tracefs uprobe " + definition));
            }
        } catch (IOException | RuntimeException e) {
            try {
                removeTracefs(tracefs, name);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) throw new UncheckedIOException("cannot read the id of " + definition, io);
            throw (RuntimeException) e;
        }
    }

    /**
     * Removes events left by jbcc processes that died without closing their links (their names
     * carry the pid), so uprobe_events does not fill up across crashed runs. Best effort: an
     * event another process still uses stays.
     */
    private static void removeStale(Path tracefs) {
        String text;
        try {
            text = Files.readString(tracefs.resolve("uprobe_events"));
        } catch (IOException e) {
            return;
        }
        String prefix = TRACEFS_GROUP + "/jbcc_";
        for (String line : text.split("\n")) {
            int at = line.indexOf(prefix);
            if (at < 0) continue;
            int nameEnd = line.indexOf(' ', at);
            String name = line.substring(at + TRACEFS_GROUP.length() + 1, nameEnd < 0 ? line.length() : nameEnd);
            String[] parts = name.split("_");
            if (parts.length != 3) continue;
            long owner;
            try {
                owner = Long.parseLong(parts[1]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (ProcessHandle.of(owner).isPresent()) continue;
            try {
                removeTracefs(tracefs, name);
            } catch (SyscallException busy) {
                System.getLogger("dev.jbcc.link").log(System.Logger.Level.DEBUG,
                        "stale uprobe event " + name + " is still in use", busy);
            }
        }
    }

    /** Removes an event this process added; the perf event on it must be closed first. */
    static void removeTracefs(Path tracefs, String name) {
        writeEvents(tracefs, "-:" + TRACEFS_GROUP + "/" + name);
    }

    private static void writeEvents(Path tracefs, String line) {
        Path events = tracefs.resolve("uprobe_events");
        try {
            // One write per definition, appended: truncating would remove every other uprobe.
            Files.writeString(events, line + "\n", StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new SyscallException("write '" + line + "' to " + events, Errno.EINVAL,
                    e.getMessage() + " (the kernel rejected the definition; see " + tracefs.resolve("error_log") + ")");
        }
    }

    /** Whether tracefs still lists one of our events: for tests that check cleanup. */
    static boolean tracefsHas(String name) {
        Path tracefs = tracefs();
        if (tracefs == null) return false;
        try {
            return Files.readString(tracefs.resolve("uprobe_events")).contains(TRACEFS_GROUP + "/" + name + " ");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
