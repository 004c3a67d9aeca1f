package dev.jbcc.link;

import dev.jbcc.features.Feature;
import dev.jbcc.Program;
import dev.jbcc.elf.Symbol;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.internal.sys.LinkCreateAttr;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.BpfFlags;
import dev.jbcc.spec.ProgramType;
import dev.jbcc.symbols.ElfSymbols;
import dev.jbcc.symbols.Libraries;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A program attached to a user-space instruction: a uprobe (entry) or uretprobe (return), or a
 * set of them behind one uprobe_multi link. Closing the link removes the probe.
 *
 * <pre>{@code
 * try (UprobeLink l = UprobeLink.attach(prog, UprobeOptions.symbol("c", "malloc").withPid(pid))) { ... }
 * }</pre>
 */
public final class UprobeLink implements Link {
    /** How the probe was created and the program attached. */
    public enum Mechanism {
        /** uprobe PMU perf event + perf_event bpf_link. */
        PMU_LINK,
        /** uprobe PMU perf event + PERF_EVENT_IOC_SET_BPF. */
        PMU_IOCTL,
        /** tracefs uprobe_events entry + perf_event bpf_link. */
        TRACEFS_LINK,
        /** tracefs uprobe_events entry + PERF_EVENT_IOC_SET_BPF. */
        TRACEFS_IOCTL,
        /** One uprobe_multi bpf_link for all locations. */
        UPROBE_MULTI
    }

    private final Path binary;
    private final long[] offsets;
    private final Mechanism mechanism;
    /** One probe on a perf event (null for uprobe_multi). */
    private final PerfEventAttachment attachment;
    /** The bpf_link, if any: the attachment's, or the uprobe_multi link. */
    private final RawLink link;
    private final String tracefsEvent;
    private final AtomicBoolean closed = new AtomicBoolean();

    private UprobeLink(Path binary, long[] offsets, Mechanism mechanism, PerfEventAttachment attachment, RawLink link,
                       String tracefsEvent) {
        this.binary = binary;
        this.offsets = offsets;
        this.mechanism = mechanism;
        this.attachment = attachment;
        this.link = link;
        this.tracefsEvent = tracefsEvent;
    }

    /**
     * Attaches a kprobe-type program ({@code SEC("uprobe")}, {@code SEC("uretprobe")},
     * {@code SEC("usdt")}) to one instruction.
     *
     * @throws NotFoundException            if the library, binary or symbol does not exist (naming what was searched)
     * @throws UnsupportedFeatureException  if the kernel has no uprobes, or lacks what an option needs
     * @throws SyscallException             if the kernel refuses the probe
     */
    public static UprobeLink attach(Program program, UprobeOptions options) {
        requireType(program, null);
        Path binary = Libraries.resolve(options.target(), options.pid());
        long offset = fileOffset(binary, options.location());
        return attach(program, binary, offset, options);
    }

    /** Attaches at a resolved file offset; {@code options.location()} is ignored. */
    static UprobeLink attach(Program program, Path binary, long offset, UprobeOptions options) {
        UprobeOptions.Method method = options.method();
        UprobeEvents.Pmu pmu = UprobeEvents.pmu();
        boolean usePmu = switch (method) {
            case AUTO -> pmu != null;
            case PMU_LINK, PMU_IOCTL -> {
                if (pmu == null) {
                    throw Feature.UPROBE_PMU.unsupported("use UprobeOptions.Method.TRACEFS or AUTO");
                }
                yield true;
            }
            case TRACEFS -> false;
        };
        if (!usePmu && method == UprobeOptions.Method.AUTO && UprobeEvents.tracefs() == null) {
            throw new UnsupportedFeatureException("uprobes (CONFIG_UPROBE_EVENTS)", null,
                    "this kernel has neither the uprobe PMU nor tracefs uprobe_events");
        }
        Fd perfEvent;
        UprobeEvents.TracefsEvent tracefsEvent = null;
        if (usePmu) {
            perfEvent = UprobeEvents.openPmu(pmu, binary, offset, options.refCtrOffset(), options.retprobe(), options.pid());
        } else {
            tracefsEvent = UprobeEvents.openTracefs(binary, offset, options.refCtrOffset(), options.retprobe(), options.pid());
            perfEvent = tracefsEvent.perfEvent();
        }
        // Closes the perf event and removes the tracefs entry itself if attaching fails.
        PerfEventAttachment attachment = PerfEventAttachment.attach(Handles.of(program), perfEvent, options.cookie(),
                method != UprobeOptions.Method.PMU_IOCTL, method == UprobeOptions.Method.PMU_LINK,
                tracefsEvent == null ? null : tracefsEvent::remove);
        boolean linked = attachment.link != null;
        Mechanism mechanism = usePmu ? (linked ? Mechanism.PMU_LINK : Mechanism.PMU_IOCTL)
                : (linked ? Mechanism.TRACEFS_LINK : Mechanism.TRACEFS_IOCTL);
        return new UprobeLink(binary, new long[] {offset}, mechanism, attachment, attachment.link,
                tracefsEvent == null ? null : UprobeEvents.TRACEFS_GROUP + "/" + tracefsEvent.name());
    }

    /**
     * Attaches a {@code SEC("uprobe.multi")} program to several instructions of one binary
     * through a single uprobe_multi link (6.6+).
     */
    public static UprobeLink attachMulti(Program program, UprobeMultiOptions options) {
        requireType(program, AttachType.TRACE_UPROBE_MULTI);
        Path binary = Libraries.resolve(options.target(), options.pid());
        int n = options.locations().size();
        long[] offsets = new long[n];
        for (int i = 0; i < n; i++) offsets[i] = fileOffset(binary, options.locations().get(i));
        return attachMulti(program, binary, offsets, options);
    }

    static UprobeLink attachMulti(Program program, Path binary, long[] offsets, UprobeMultiOptions options) {
        int n = offsets.length;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(binary.toString());
            MemorySegment offs = arena.allocateFrom(ValueLayout.JAVA_LONG, offsets);
            MemorySegment cookies = options.cookies().isEmpty() ? MemorySegment.NULL
                    : arena.allocateFrom(ValueLayout.JAVA_LONG, options.cookies().stream().mapToLong(Long::longValue).toArray());
            MemorySegment refs = options.refCtrOffsets().isEmpty() ? MemorySegment.NULL
                    : arena.allocateFrom(ValueLayout.JAVA_LONG, options.refCtrOffsets().stream().mapToLong(Long::longValue).toArray());
            var attr = new LinkCreateAttr(arena).progFd(Handles.of(program))
                    .attachType(AttachType.TRACE_UPROBE_MULTI.value())
                    .uprobeMulti(path, offs, refs, cookies, n, options.retprobe() ? BpfFlags.BPF_F_UPROBE_MULTI_RETURN : 0,
                            Math.max(options.pid(), 0));
            Fd fd;
            try {
                fd = Bpf.linkCreate(attr);
            } catch (SyscallException e) {
                if (e.errno() == Errno.EINVAL || e.errno() == Errno.EOPNOTSUPP) {
                    throw Feature.UPROBE_MULTI.unsupported("attach each location with UprobeLink.attach (kernel said "
                            + Errno.describe(e.errno()) + ")");
                }
                throw e;
            }
            return new UprobeLink(binary, offsets, Mechanism.UPROBE_MULTI, null, new RawLink(fd), null);
        }
    }

    /** uprobe_multi.flags: the probes are uretprobes. */

    private static void requireType(Program program, AttachType attachType) {
        if (program.type() != ProgramType.KPROBE) {
            throw new IllegalArgumentException("program '" + program.name() + "' is a " + program.type()
                    + " program; uprobes run KPROBE programs (SEC(\"uprobe\"), SEC(\"uretprobe\"), SEC(\"usdt\"))");
        }
        if (attachType != null && program.attachType() != attachType) {
            throw new IllegalArgumentException("program '" + program.name() + "' was loaded for attach type "
                    + program.attachType() + "; a uprobe_multi link needs SEC(\"uprobe.multi\") (TRACE_UPROBE_MULTI)");
        }
        if (attachType == null && program.attachType() == AttachType.TRACE_UPROBE_MULTI) {
            throw new IllegalArgumentException("program '" + program.name()
                    + "' was loaded for uprobe_multi (SEC(\"uprobe.multi\")); attach it with UprobeLink.attachMulti");
        }
    }

    /**
     * The file offset the kernel wants for a location in {@code binary}.
     *
     * @throws NotFoundException if a symbol does not exist or an address is outside the loadable segments
     */
    public static long fileOffset(Path binary, UprobeOptions.Location location) {
        return switch (location) {
            case UprobeOptions.Location.FileOffset f -> f.offset();
            case UprobeOptions.Location.Address a -> {
                ElfSymbols symbols = ElfSymbols.load(binary);
                yield symbols.fileOffsetOf(a.address()).orElseThrow(() -> new NotFoundException("address 0x"
                        + Long.toHexString(a.address()) + " is not in a loadable segment of " + binary));
            }
            case UprobeOptions.Location.Symbol s -> {
                ElfSymbols symbols = ElfSymbols.load(binary);
                Symbol symbol = symbols.symbol(s.name());
                if (symbol.size() > 0 && s.offset() >= symbol.size()) {
                    throw new IllegalArgumentException("offset " + s.offset() + " is past the end of " + s.name()
                            + " (" + symbol.size() + " bytes) in " + binary);
                }
                long address = symbol.value() + s.offset();
                yield symbols.fileOffsetOf(address).orElseThrow(() -> new NotFoundException("symbol " + s.name()
                        + " at 0x" + Long.toHexString(address) + " is not in a loadable segment of " + binary));
            }
        };
    }

    /** The probed file. */
    public Path binary() {
        return binary;
    }

    /** The probed file offset (the first one, for uprobe_multi). */
    public long offset() {
        return offsets[0];
    }

    /** All probed file offsets. */
    public List<Long> offsets() {
        return java.util.Arrays.stream(offsets).boxed().toList();
    }

    public Mechanism mechanism() {
        return mechanism;
    }

    /** The tracefs event name when created through tracefs, else null. */
    public String tracefsEvent() {
        return tracefsEvent;
    }

    /** The bpf_link id, or 0 when attached through the ioctl (no link). */
    public int linkId() {
        return link == null ? 0 : link.info().id();
    }

    /**
     * @throws UnsupportedFeatureException when attached through the ioctl, which has no link to pin
     */
    @Override
    public void pin(Path path) {
        if (attachment != null) attachment.pin(path, "uprobe");
        else link.pin(path);
    }

    @Override
    public void unpin() {
        if (attachment != null) attachment.unpin();
        else link.unpin();
    }

    /** Detaches: the link, then the perf event, then the tracefs entry (which needs the perf event gone). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (attachment != null) attachment.close();
        else link.close();
    }

    @Override
    public String toString() {
        return "UprobeLink[" + binary + ":0x" + Long.toHexString(offsets[0])
                + (offsets.length > 1 ? " +" + (offsets.length - 1) + " more" : "") + ", " + mechanism
                + (closed.get() ? ", closed" : "") + "]";
    }
}
