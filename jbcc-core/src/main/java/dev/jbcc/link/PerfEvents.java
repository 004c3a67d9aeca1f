package dev.jbcc.link;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.features.Feature;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.LinkCreateAttr;
import dev.jbcc.internal.sys.PerfEventAttr;
import dev.jbcc.spec.AttachType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What every perf-event-based attach kind shares (tracepoints, kprobes, uprobes, perf_event
 * programs): finding tracefs, reading PMU format fields, and running a program on a perf event
 * through a {@code BPF_LINK_CREATE} perf_event link (5.15+) or {@code PERF_EVENT_IOC_SET_BPF}.
 */
final class PerfEvents {
    private PerfEvents() {}


    /** Where a PMU format field ("config:0", "config:32-63") puts its bits. */
    record FormatField(int lowBit, int width) {
        long encode(long value) {
            long mask = width >= 64 ? -1L : (1L << width) - 1;
            if ((value & ~mask) != 0) throw new IllegalArgumentException(value + " does not fit in " + width + " bits");
            return (value & mask) << lowBit;
        }

        /** The field described in {@code file}, or null if the PMU has no such field. */
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

    /** The {@code type} of a dynamic PMU (kprobe, uprobe) under /sys/bus/event_source/devices, or -1. */
    static int pmuType(Path pmuDir) {
        Path typeFile = pmuDir.resolve("type");
        try {
            return Integer.parseInt(Files.readString(typeFile).strip());
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + typeFile, e);
        }
    }

    /**
     * The perf event id of tracepoint {@code category:name} from {@code events/CAT/NAME/id}.
     *
     * @throws NotFoundException naming the tracepoint, with similar ones in the category if any
     */
    static long tracepointId(Path tracefs, String category, String name) {
        Path id = tracefs.resolve("events").resolve(category).resolve(name).resolve("id");
        try {
            return Long.parseLong(Files.readString(id).strip());
        } catch (NoSuchFileException e) {
            Path dir = tracefs.resolve("events").resolve(category);
            String hint;
            if (!Files.isDirectory(dir)) {
                hint = "this kernel has no tracepoint category '" + category + "' (see " + tracefs.resolve("events") + ")";
            } else {
                hint = "category '" + category + "' has no tracepoint '" + name + "'" + similar(dir, name);
            }
            throw new NotFoundException("tracepoint " + category + ":" + name + " does not exist: " + hint);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + id, e);
        }
    }

    /** "; similar: a, b" for names in {@code dir} sharing a word with {@code name}, or "". */
    private static String similar(Path dir, String name) {
        try (var entries = Files.list(dir)) {
            String[] words = name.split("_");
            String word = words[words.length - 1];
            var near = entries.map(p -> p.getFileName().toString()).filter(n -> n.contains(word)).sorted().limit(5).toList();
            return near.isEmpty() ? "" : "; similar: " + String.join(", ", near);
        } catch (IOException e) {
            return "";
        }
    }

    // ---- running a program on a perf event ----

    /**
     * A perf_event bpf_link (5.15+) for {@code prog} on {@code perfEvent}, or null when the kernel
     * cannot create one (EINVAL from an older kernel) and {@code mustLink} is false, so that the
     * caller may use the ioctl.
     */
    static Fd linkPerfEvent(Fd prog, Fd perfEvent, long cookie, boolean mustLink) {
        try (Arena arena = Arena.ofConfined()) {
            var attr = new LinkCreateAttr(arena).progFd(prog).target(perfEvent.raw())
                    .attachType(AttachType.PERF_EVENT.value())
                    .perfEventCookie(cookie);
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
        int rc = PerfEventAttr.setBpfErrno(perfEvent, prog);
        if (rc < 0) {
            throw new SyscallException("ioctl(PERF_EVENT_IOC_SET_BPF)", -rc,
                    -rc == Errno.EEXIST ? "a program is already attached to this perf event" : null);
        }
    }

    static void enable(Fd perfEvent) {
        PerfEventAttr.enable(perfEvent);
    }

    /**
     * Runs {@code prog} on {@code perfEvent} and enables it: a bpf_link when {@code useLink} and
     * the kernel has perf_event links, else the ioctl.
     *
     * @return the link, or null when attached by ioctl (the program then runs until the perf event is closed)
     * @throws UnsupportedFeatureException if a cookie is asked for on a kernel without perf_event links
     */
    static RawLink attach(Fd prog, Fd perfEvent, long cookie, boolean useLink, boolean mustLink) {
        RawLink link = null;
        if (useLink) {
            Fd fd;
            try {
                fd = linkPerfEvent(prog, perfEvent, cookie, mustLink || cookie != 0);
            } catch (SyscallException e) {
                if (e.errno() == Errno.EINVAL && cookie != 0) {
                    throw Feature.PERF_EVENT_COOKIE.unsupported("attach without a cookie");
                }
                if (e.errno() == Errno.EINVAL && mustLink) {
                    throw Feature.BPF_LINK_PERF_EVENT.unsupported("attach with the PERF_EVENT_IOC_SET_BPF ioctl instead");
                }
                throw e;
            }
            if (fd != null) link = new RawLink(fd);
        }
        try {
            if (link == null) setBpf(perfEvent, prog);
            enable(perfEvent);
            return link;
        } catch (RuntimeException e) {
            if (link != null) link.close();
            throw e;
        }
    }
}
