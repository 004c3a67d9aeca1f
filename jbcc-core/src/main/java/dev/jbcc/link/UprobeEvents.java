package dev.jbcc.link;

import dev.jbcc.AttachType;
import dev.jbcc.Errno;
import dev.jbcc.FormatException;
import dev.jbcc.SyscallException;
import dev.jbcc.UnsupportedFeatureException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.internal.sys.LinkCreateAttr;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * The kernel side of a uprobe: a perf event from the uprobe PMU (4.17+) or, failing that, from a
 * tracefs {@code uprobe_events} entry; and the two ways of running a program on it (a
 * {@code BPF_LINK_CREATE} perf_event link, 5.15+, else {@code PERF_EVENT_IOC_SET_BPF}).
 */
final class UprobeEvents {
    private UprobeEvents() {}

    static final Path PMU_DIR = Path.of("/sys/bus/event_source/devices/uprobe");
    static final int PERF_TYPE_TRACEPOINT = 2;
    static final long PERF_FLAG_FD_CLOEXEC = 8;
    static final long PERF_EVENT_IOC_ENABLE = 0x2400, PERF_EVENT_IOC_SET_BPF = 0x40042408L;

    /** {@code struct perf_event_attr} up to {@code config3} (PERF_ATTR_SIZE_VER8, 136 bytes), native order. */
    static final StructLayout PERF_EVENT_ATTR = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("type"), ValueLayout.JAVA_INT.withName("size"),
            ValueLayout.JAVA_LONG.withName("config"), ValueLayout.JAVA_LONG.withName("sample_period"),
            ValueLayout.JAVA_LONG.withName("sample_type"), ValueLayout.JAVA_LONG.withName("read_format"),
            ValueLayout.JAVA_LONG.withName("flags"), ValueLayout.JAVA_INT.withName("wakeup_events"),
            ValueLayout.JAVA_INT.withName("bp_type"), ValueLayout.JAVA_LONG.withName("config1"),
            ValueLayout.JAVA_LONG.withName("config2"), ValueLayout.JAVA_LONG.withName("branch_sample_type"),
            ValueLayout.JAVA_LONG.withName("sample_regs_user"), ValueLayout.JAVA_INT.withName("sample_stack_user"),
            ValueLayout.JAVA_INT.withName("clockid"), ValueLayout.JAVA_LONG.withName("sample_regs_intr"),
            ValueLayout.JAVA_INT.withName("aux_watermark"), ValueLayout.JAVA_SHORT.withName("sample_max_stack"),
            MemoryLayout.paddingLayout(2), ValueLayout.JAVA_INT.withName("aux_sample_size"),
            MemoryLayout.paddingLayout(4), ValueLayout.JAVA_LONG.withName("sig_data"),
            ValueLayout.JAVA_LONG.withName("config3"));
    private static final long TYPE = off("type"), SIZE = off("size"), CONFIG = off("config"),
            SAMPLE_PERIOD = off("sample_period"), CONFIG1 = off("config1"), CONFIG2 = off("config2");

    private static long off(String field) {
        return PERF_EVENT_ATTR.byteOffset(groupElement(field));
    }

    /** Where a PMU format field ("config:0", "config:32-63") puts its bits. */
    record FormatField(int lowBit, int width) {
        long encode(long value) {
            long mask = width >= 64 ? -1L : (1L << width) - 1;
            if ((value & ~mask) != 0) throw new IllegalArgumentException(value + " does not fit in " + width + " bits");
            return (value & mask) << lowBit;
        }

        static FormatField read(Path file) {
            String text;
            try {
                text = Files.readString(file).strip();
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            if (!text.startsWith("config:")) throw new FormatException(file + ": expected config:BITS, found '" + text + "'");
            String bits = text.substring("config:".length());
            int dash = bits.indexOf('-');
            int low = Integer.parseInt(dash < 0 ? bits : bits.substring(0, dash));
            int high = dash < 0 ? low : Integer.parseInt(bits.substring(dash + 1));
            return new FormatField(low, high - low + 1);
        }
    }

    /** What the uprobe PMU offers, read once. */
    record Pmu(int type, FormatField retprobe, FormatField refCtrOffset) {
        static final Pmu INSTANCE = read();

        private static Pmu read() {
            Path typeFile = PMU_DIR.resolve("type");
            if (!Files.exists(typeFile)) return null;
            try {
                int type = Integer.parseInt(Files.readString(typeFile).strip());
                return new Pmu(type, FormatField.read(PMU_DIR.resolve("format/retprobe")),
                        FormatField.read(PMU_DIR.resolve("format/ref_ctr_offset")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + typeFile, e);
            }
        }
    }

    /** The uprobe PMU, or null when the kernel has none (before 4.17, or without CONFIG_UPROBE_EVENTS). */
    static Pmu pmu() {
        return Pmu.INSTANCE;
    }

    /** perf_event_open's pid/cpu convention for probes: all processes means "any task on CPU 0", which still fires everywhere. */
    private static Fd perfEventOpen(MemorySegment attr, int pid, String what) {
        int fd = Libc.perfEventOpen(attr, pid > 0 ? pid : -1, pid > 0 ? -1 : 0, -1, PERF_FLAG_FD_CLOEXEC);
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
            MemorySegment attr = arena.allocate(PERF_EVENT_ATTR);
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
            attr.set(ValueLayout.JAVA_INT, TYPE, pmu.type());
            attr.set(ValueLayout.JAVA_INT, SIZE, (int) PERF_EVENT_ATTR.byteSize());
            attr.set(ValueLayout.JAVA_LONG, CONFIG, config);
            attr.set(ValueLayout.JAVA_LONG, CONFIG1, arena.allocateFrom(binary.toString()).address());
            attr.set(ValueLayout.JAVA_LONG, CONFIG2, offset);
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
                MemorySegment attr = arena.allocate(PERF_EVENT_ATTR);
                attr.set(ValueLayout.JAVA_INT, TYPE, PERF_TYPE_TRACEPOINT);
                attr.set(ValueLayout.JAVA_INT, SIZE, (int) PERF_EVENT_ATTR.byteSize());
                attr.set(ValueLayout.JAVA_LONG, CONFIG, id);
                attr.set(ValueLayout.JAVA_LONG, SAMPLE_PERIOD, 1);
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

    // ---- running the program on the event ----

    /**
     * A perf_event bpf_link (5.15+) for {@code prog} on {@code perfEvent}, or null when the kernel
     * cannot create one (EINVAL from an older kernel), so the caller may use the ioctl.
     */
    static Fd linkPerfEvent(Fd prog, Fd perfEvent, long cookie, boolean mustLink) {
        try (Arena arena = Arena.ofConfined()) {
            var attr = new LinkCreateAttr(arena).progFd(prog).target(perfEvent.raw())
                    .attachType(AttachType.PERF_EVENT.value())
                    .tail(dev.jbcc.internal.sys.BpfAttr.LinkCreate.PERF_EVENT_BPF_COOKIE, cookie);
            try {
                return Bpf.linkCreate(attr);
            } catch (SyscallException e) {
                if (!mustLink && e.errno() == Errno.EINVAL) return null;
                throw e;
            }
        }
    }

    /** The pre-5.15 way: PERF_EVENT_IOC_SET_BPF; the program runs until the perf event is closed. */
    static void setBpf(Fd perfEvent, Fd prog) {
        int rc = Libc.ioctl(perfEvent.raw(), PERF_EVENT_IOC_SET_BPF, prog.raw());
        if (rc < 0) {
            throw new SyscallException("ioctl(PERF_EVENT_IOC_SET_BPF)", -rc,
                    -rc == Errno.EEXIST ? "a program is already attached to this perf event" : null);
        }
    }

    static void enable(Fd perfEvent) {
        int rc = Libc.ioctl(perfEvent.raw(), PERF_EVENT_IOC_ENABLE, 0);
        if (rc < 0) throw new SyscallException("ioctl(PERF_EVENT_IOC_ENABLE)", -rc);
    }
}
