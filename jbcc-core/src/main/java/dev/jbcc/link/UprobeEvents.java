package dev.jbcc.link;

import dev.jbcc.features.Feature;
import dev.jbcc.features.Features;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.PerfEventAttr;
import dev.jbcc.trace.Tracefs;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel side of a uprobe: a perf event from the uprobe PMU (4.17+) or, failing that, from a
 * tracefs {@code uprobe_events} entry. Running a program on it is shared with the other perf
 * event kinds ({@link PerfEvents}).
 */
final class UprobeEvents {
    private UprobeEvents() {}

    static final Path PMU_DIR = Features.UPROBE_PMU_DIR;

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
                    throw Feature.URETPROBE_PMU.unsupported("use UprobeOptions.Method.TRACEFS");
                }
                config |= pmu.retprobe().encode(1);
            }
            if (refCtrOffset != 0) {
                if (pmu.refCtrOffset() == null) {
                    throw Feature.UPROBE_REF_CTR.unsupported("use a kernel that has it, or a probe without a semaphore");
                }
                config |= pmu.refCtrOffset().encode(refCtrOffset);
            }
            var attr = new PerfEventAttr(arena).type(pmu.type()).config(config)
                    .config1(arena.allocateFrom(binary.toString()).address()).config2(offset);
            return perfEventOpen(attr, pid, (retprobe ? "uretprobe " : "uprobe ") + binary + ":0x" + Long.toHexString(offset));
        }
    }

    // ---- tracefs ----

    static final String TRACEFS_GROUP = "jbcc_uprobes";

    /** Our uprobe_events entries in the tracefs mount, or null when there is no uprobe_events file. */
    static DynamicEvents tracefs() {
        Path tracefs = Tracefs.ifMounted().orElse(null);
        if (tracefs == null || !Files.exists(tracefs.resolve("uprobe_events"))) return null;
        return new DynamicEvents(tracefs, "uprobe_events", TRACEFS_GROUP);
    }

    /** A tracefs uprobe event: where it is defined, its name, and the perf event opened on it. */
    record TracefsEvent(DynamicEvents events, String name, Fd perfEvent) {
        /** Removes the event; the perf event on it must be closed first. */
        void remove() {
            events.remove(name);
        }
    }

    /** Adds {@code p:jbcc_uprobes/NAME PATH:0xOFF(0xREF)} to uprobe_events and opens a tracepoint perf event on it. */
    static TracefsEvent openTracefs(Path binary, long offset, long refCtrOffset, boolean retprobe, int pid) {
        DynamicEvents events = tracefs();
        if (events == null) {
            throw new UnsupportedFeatureException("uprobes (CONFIG_UPROBE_EVENTS)", null,
                    "neither the uprobe PMU nor tracefs uprobe_events exists; mount tracefs at /sys/kernel/tracing"
                            + " (mount -t tracefs nodev /sys/kernel/tracing) or use a kernel built with CONFIG_UPROBE_EVENTS");
        }
        // Events of jbcc processes that died without closing their links would pile up otherwise.
        events.removeStale();
        String name = DynamicEvents.newName();
        String definition = (retprobe ? "r:" : "p:") + TRACEFS_GROUP + "/" + name + " " + binary + ":0x"
                + Long.toHexString(offset) + (refCtrOffset != 0 ? "(0x" + Long.toHexString(refCtrOffset) + ")" : "");
        events.add(definition);
        try (Arena arena = Arena.ofConfined()) {
            var attr = new PerfEventAttr(arena).type(PerfEventAttr.PERF_TYPE_TRACEPOINT).config(events.id(name)).samplePeriod(1);
            return new TracefsEvent(events, name, perfEventOpen(attr, pid, "tracefs uprobe " + definition));
        } catch (RuntimeException e) {
            try {
                events.remove(name);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Whether tracefs still lists one of our events: for tests that check cleanup. */
    static boolean tracefsHas(String name) {
        DynamicEvents events = tracefs();
        return events != null && events.has(name);
    }
}
