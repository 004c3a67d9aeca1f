package dev.jbcc.link;

import dev.jbcc.Program;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.PinException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.internal.sys.Cpus;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.internal.sys.PerfEventAttr;
import dev.jbcc.spec.ProgramType;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@code SEC("perf_event")} program run on each sample of a software or hardware perf event:
 * one perf event per online CPU (what a sampling profiler needs), or one for a CPU or a thread.
 * Each event gets a perf_event bpf_link (5.15+) or PERF_EVENT_IOC_SET_BPF.
 *
 * <pre>{@code
 * var options = PerfEventOptions.software(SoftwareEvent.CPU_CLOCK).withSampleFrequency(99);
 * try (PerfEventLink l = PerfEventLink.attach(prog, options)) { ... }
 * }</pre>
 */
public final class PerfEventLink implements Link {
    private final PerfEventOptions options;
    private final List<PerfEventAttachment> attachments;
    private final int[] cpus;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PerfEventLink(PerfEventOptions options, List<PerfEventAttachment> attachments, int[] cpus) {
        this.options = options;
        this.attachments = attachments;
        this.cpus = cpus;
    }

    /**
     * @throws UnsupportedFeatureException if the event does not exist here (hardware events in a VM
     *                                     without a virtual PMU), naming a software alternative
     * @throws IllegalArgumentException    if the program is not a PERF_EVENT program
     */
    public static PerfEventLink attach(Program program, PerfEventOptions options) {
        if (program.type() != ProgramType.PERF_EVENT) {
            throw new IllegalArgumentException("program '" + program.name() + "' is a " + program.type()
                    + " program; PerfEventLink runs PERF_EVENT programs (SEC(\"perf_event\"))");
        }
        int[] cpus = options.cpu() >= 0 ? new int[] {options.cpu()}
                : options.tid() > 0 ? new int[] {-1} : Cpus.online();
        List<PerfEventAttachment> attached = new ArrayList<>(cpus.length);
        try (Arena arena = Arena.ofConfined()) {
            var attr = new PerfEventAttr(arena).type(options.type()).config(options.config());
            if (options.frequency() > 0) attr.sampleFrequency(options.frequency());
            else attr.samplePeriod(options.period());
            for (int cpu : cpus) {
                int raw = attr.openErrno(options.tid(), cpu, -1);
                if (raw < 0) throw openFailure(options, cpu, -raw);
                attached.add(PerfEventAttachment.attach(Handles.of(program), Fd.adopt(raw), options.cookie(), true, false, null));
            }
            return new PerfEventLink(options, List.copyOf(attached), cpus);
        } catch (RuntimeException e) {
            for (PerfEventAttachment a : attached) {
                try {
                    a.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static RuntimeException openFailure(PerfEventOptions options, int cpu, int errno) {
        String what = options.describe() + (cpu >= 0 && options.cpu() < 0 ? " (CPU " + cpu + ")" : "");
        if (options.type() == PerfEventOptions.TYPE_HARDWARE && (errno == Errno.ENOENT || errno == Errno.EOPNOTSUPP
                || errno == Errno.ENODEV)) {
            return new UnsupportedFeatureException(what, null, "this machine exposes no hardware PMU for it"
                    + " (common in VMs; the kernel said " + Errno.describe(errno) + "); sample"
                    + " PerfEventOptions.software(SoftwareEvent.CPU_CLOCK) instead");
        }
        String hint = switch (errno) {
            case Errno.ESRCH -> "no thread with tid " + options.tid();
            case Errno.ENODEV, Errno.ENXIO -> "CPU " + cpu + " is not online";
            case Errno.EACCES, Errno.EPERM -> "not permitted: run as root, or lower /proc/sys/kernel/perf_event_paranoid";
            case Errno.EINVAL -> "the kernel rejected the event: check the type/config, and that the frequency is"
                    + " below /proc/sys/kernel/perf_event_max_sample_rate";
            case Errno.ENOENT, Errno.EOPNOTSUPP -> "this kernel has no such event";
            default -> null;
        };
        return new SyscallException("perf_event_open (" + what + ")", errno, hint);
    }

    public PerfEventOptions options() {
        return options;
    }

    /** How many perf events (one per CPU unless a CPU or a thread was given). */
    public int eventCount() {
        return attachments.size();
    }

    /** The CPUs sampled (-1: any CPU the thread runs on). */
    public int[] cpus() {
        return cpus.clone();
    }

    /** The perf_event bpf_links, one per event (empty when attached by ioctl, before 5.15). */
    public List<RawLink> rawLinks() {
        return attachments.stream().filter(a -> a.link != null).map(a -> a.link).toList();
    }

    /**
     * Pins the single link of a one-event attachment.
     *
     * @throws PinException when sampling several CPUs: pin {@link #rawLinks()} one by one instead
     */
    @Override
    public void pin(Path path) {
        if (attachments.size() != 1) {
            throw new PinException(PinException.Reason.NOT_PINNABLE, path.toString(), 0, "this PerfEventLink holds "
                    + attachments.size() + " perf event links (one per CPU); pin each of rawLinks() at its own path");
        }
        attachments.getFirst().pin(path, "perf event");
    }

    @Override
    public void unpin() {
        for (PerfEventAttachment a : attachments) a.unpin();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        RuntimeException failure = null;
        for (PerfEventAttachment a : attachments) {
            try {
                a.close();
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
    }

    @Override
    public String toString() {
        return "PerfEventLink[" + options.describe() + ", " + attachments.size() + " events"
                + (closed.get() ? ", closed" : "") + "]";
    }
}
