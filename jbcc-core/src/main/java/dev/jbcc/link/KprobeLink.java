package dev.jbcc.link;

import dev.jbcc.features.Features;
import dev.jbcc.Program;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.features.Feature;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.internal.sys.LinkCreateAttr;
import dev.jbcc.internal.sys.PerfEventAttr;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.BpfFlags;
import dev.jbcc.spec.ProgramType;
import dev.jbcc.symbols.KernelSymbols;
import dev.jbcc.trace.Tracefs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@code SEC("kprobe/FN")} / {@code SEC("kretprobe/FN")} program on a kernel function: a perf
 * event from the kprobe PMU (4.17+) or, failing that, a tracefs {@code kprobe_events} entry
 * (removed on close), run through a perf_event bpf_link (5.15+) or PERF_EVENT_IOC_SET_BPF; or a
 * {@code SEC("kprobe.multi/...")} program on many functions through one kprobe_multi link (5.18+).
 *
 * <p>Kernels built without CONFIG_KPROBES have none of these: attaching then fails with an
 * {@link UnsupportedFeatureException} that names a hook which does exist for the function, a
 * {@code syscalls:sys_enter_*} tracepoint for a syscall or fentry/fexit for a function in BTF.
 */
public final class KprobeLink implements Link {
    static final Path PMU_DIR = Features.KPROBE_PMU_DIR;
    static final String GROUP = "jbcc_kprobes";
    /** kprobe_multi.flags: the probes are kretprobes. */

    /** How the probe was made. */
    public enum Mechanism {
        /** A kprobe PMU perf event. */
        PMU,
        /** A tracefs kprobe_events entry. */
        TRACEFS,
        /** One kprobe_multi bpf_link. */
        KPROBE_MULTI
    }

    private final String description;
    private final Mechanism mechanism;
    private final PerfEventAttachment attachment;
    private final RawLink multiLink;
    private final String tracefsEvent;
    private final List<String> functions;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KprobeLink(String description, Mechanism mechanism, PerfEventAttachment attachment, RawLink multiLink,
                       String tracefsEvent, List<String> functions) {
        this.description = description;
        this.mechanism = mechanism;
        this.attachment = attachment;
        this.multiLink = multiLink;
        this.tracefsEvent = tracefsEvent;
        this.functions = functions;
    }

    /** The kprobe PMU's type and its retprobe bit, read once; null without one. */
    private record Pmu(int type, PerfEvents.FormatField retprobe) {
        static final Pmu INSTANCE = read();

        private static Pmu read() {
            int type = PerfEvents.pmuType(PMU_DIR);
            return type < 0 ? null : new Pmu(type, PerfEvents.FormatField.read(PMU_DIR.resolve("format/retprobe")));
        }
    }

    public static KprobeLink attach(Program program, String function) {
        return attach(program, KprobeOptions.symbol(function));
    }

    /**
     * @throws UnsupportedFeatureException if the kernel has no kprobes (the message names an
     *                                     alternative hook when there is one), or lacks what an option needs
     * @throws NotFoundException           if the function does not exist or cannot be probed
     * @throws IllegalArgumentException    if the program is not a KPROBE program
     */
    public static KprobeLink attach(Program program, KprobeOptions options) {
        if (program.type() != ProgramType.KPROBE) {
            throw new IllegalArgumentException("program '" + program.name() + "' is a " + program.type()
                    + " program; kprobes run KPROBE programs (SEC(\"kprobe/FN\"), SEC(\"kretprobe/FN\"))");
        }
        if (program.attachType() == AttachType.TRACE_KPROBE_MULTI) {
            throw new IllegalArgumentException("program '" + program.name()
                    + "' was loaded for kprobe_multi (SEC(\"kprobe.multi/...\")); attach it with KprobeLink.attachMulti");
        }
        Pmu pmu = Pmu.INSTANCE;
        Path tracefs = Tracefs.ifMounted().orElse(null);
        boolean haveTracefs = tracefs != null && Files.exists(tracefs.resolve("kprobe_events"));
        if (pmu == null && !haveTracefs) {
            if (tracefs == null) {
                // Maybe tracefs is just not mounted yet: mount it and look again.
                try {
                    tracefs = Tracefs.path();
                } catch (UnsupportedFeatureException noTracefs) {
                    UnsupportedFeatureException e = noKprobes(options);
                    e.addSuppressed(noTracefs);
                    throw e;
                }
                haveTracefs = Files.exists(tracefs.resolve("kprobe_events"));
            }
            if (!haveTracefs) throw noKprobes(options);
        }
        boolean usePmu = switch (options.method()) {
            case AUTO -> pmu != null && options.maxActive() == 0 && (!options.retprobe() || pmu.retprobe() != null);
            case PMU -> {
                if (pmu == null) {
                    throw Feature.KPROBE_PMU.unsupported("use KprobeOptions.Method.TRACEFS or AUTO");
                }
                if (options.retprobe() && pmu.retprobe() == null) {
                    throw Feature.KRETPROBE_PMU.unsupported("use KprobeOptions.Method.TRACEFS");
                }
                yield true;
            }
            case TRACEFS -> {
                if (!haveTracefs) {
                    throw new UnsupportedFeatureException("tracefs kprobe_events", null, "use KprobeOptions.Method.PMU or AUTO");
                }
                yield false;
            }
        };
        if (usePmu) {
            Fd perfEvent = openPmu(pmu, options);
            return new KprobeLink(options.describe(), Mechanism.PMU,
                    PerfEventAttachment.attach(Handles.of(program), perfEvent, options.cookie(), true, false, null),
                    null, null, null);
        }
        DynamicEvents events = new DynamicEvents(tracefs, "kprobe_events", GROUP);
        events.removeStale();
        String name = DynamicEvents.newName();
        String where = options.symbol() != null
                ? options.symbol() + (options.offset() != 0 ? "+" + options.offset() : "")
                : "0x" + Long.toHexString(options.address());
        String definition = (options.retprobe() ? "r" + (options.maxActive() > 0 ? options.maxActive() : "") : "p")
                + ":" + GROUP + "/" + name + " " + where;
        try {
            events.add(definition);
        } catch (SyscallException e) {
            if (options.symbol() != null && missing(options.symbol())) {
                throw new NotFoundException("kernel function " + options.symbol() + " does not exist (not in /proc/kallsyms)", e);
            }
            throw e;
        }
        Fd perfEvent;
        try (Arena arena = Arena.ofConfined()) {
            var attr = new PerfEventAttr(arena).type(PerfEventAttr.PERF_TYPE_TRACEPOINT).config(events.id(name))
                    .samplePeriod(1).wakeupEvents(1);
            perfEvent = attr.open(-1, 0, -1, options.describe() + " (tracefs " + GROUP + "/" + name + ")", null);
        } catch (RuntimeException e) {
            try {
                events.remove(name);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new KprobeLink(options.describe(), Mechanism.TRACEFS,
                PerfEventAttachment.attach(Handles.of(program), perfEvent, options.cookie(), true, false,
                        () -> events.remove(name)),
                null, GROUP + "/" + name, null);
    }

    /** Whether kallsyms lacks a function: to tell "no such function" from other refusals. */
    private static boolean missing(String symbol) {
        return KernelSymbols.shared().address(symbol).isEmpty();
    }

    private static Fd openPmu(Pmu pmu, KprobeOptions options) {
        try (Arena arena = Arena.ofConfined()) {
            var attr = new PerfEventAttr(arena).type(pmu.type())
                    .config(options.retprobe() ? pmu.retprobe().encode(1) : 0);
            if (options.symbol() != null) {
                attr.config1(arena.allocateFrom(options.symbol()).address()).config2(options.offset());
            } else {
                attr.config2(options.address());
            }
            int raw = attr.openErrno(-1, 0, -1);
            if (raw >= 0) return Fd.adopt(raw);
            int errno = -raw;
            if (options.symbol() != null && (errno == Errno.ENOENT || errno == Errno.EINVAL)
                    && missing(options.symbol())) {
                throw new NotFoundException("kernel function " + options.symbol() + " does not exist (not in /proc/kallsyms)");
            }
            String hint = switch (errno) {
                case Errno.ENOENT -> "the kernel cannot find " + options.symbol();
                case Errno.EINVAL -> "the function cannot be probed (it may be inlined, notrace, or blacklisted in"
                        + " /sys/kernel/debug/kprobes/blacklist), or the offset is not an instruction boundary";
                // The kernel's word for a probe address inside an instruction.
                case Errno.EILSEQ -> "offset " + options.offset() + " (0x" + Long.toHexString(options.offset()) + ") of "
                        + options.symbol() + " is inside an instruction: a kprobe must sit on an instruction boundary;"
                        + " take an offset from the function's disassembly (0 is always one)";
                default -> null;
            };
            throw new SyscallException("perf_event_open (" + options.describe() + ")", errno, hint);
        }
    }

    /** The error for a kernel without kprobes, naming a hook that does exist for this function. */
    static UnsupportedFeatureException noKprobes(KprobeOptions options) {
        String symbol = options.symbol();
        String alternative = symbol == null ? null : alternativeHook(symbol, options.retprobe());
        return Feature.KPROBES.unsupported(
                "there is no kprobe PMU (" + PMU_DIR + ") and no tracefs kprobe_events, so " + options.describe()
                        + " cannot be attached; " + (alternative != null ? "use " + alternative + " instead"
                        : "no tracepoint or BTF function matches " + (symbol != null ? symbol : "this address")
                        + ", so only a kernel with CONFIG_KPROBES=y can probe it"));
    }

    /**
     * A hook that fires where a kprobe on {@code function} would: the syscall's tracepoint, else
     * fentry/fexit when the function is in kernel BTF; null when neither exists.
     */
    static String alternativeHook(String function, boolean retprobe) {
        String syscall = Kprobes.syscallOf(function);
        Path tracefs = Tracefs.ifMounted().orElse(null);
        if (syscall != null && tracefs != null) {
            String tp = (retprobe ? "sys_exit_" : "sys_enter_") + syscall;
            if (Files.exists(tracefs.resolve("events/syscalls").resolve(tp))) {
                return "the tracepoint syscalls:" + tp + " (SEC(\"tracepoint/syscalls/" + tp + "\"), TracepointLink)";
            }
        }
        if (Btf.kernel().lookup(function, BtfType.Func.class).length > 0) {
            String kind = retprobe ? "fexit" : "fentry";
            return kind + "/" + function + " (SEC(\"" + kind + "/" + function + "\"), TracingLink), where the kernel"
                    + " allows BPF trampolines";
        }
        return null;
    }

    /**
     * Attaches a {@code SEC("kprobe.multi/...")} program to many functions with one link.
     *
     * @throws UnsupportedFeatureException before 5.18 or without CONFIG_FPROBE
     * @throws NotFoundException           if a pattern matches nothing
     */
    public static KprobeLink attachMulti(Program program, KprobeMultiOptions options) {
        if (program.type() != ProgramType.KPROBE || program.attachType() != AttachType.TRACE_KPROBE_MULTI) {
            throw new IllegalArgumentException("program '" + program.name() + "' is a " + program.type()
                    + (program.attachType() != null ? "/" + program.attachType() : "")
                    + " program; attachMulti needs SEC(\"kprobe.multi/...\") (KPROBE/TRACE_KPROBE_MULTI)");
        }
        List<String> functions = options.pattern() != null ? Kprobes.matching(options.pattern()) : options.symbols();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment names = arena.allocate(ValueLayout.ADDRESS, functions.size());
            for (int i = 0; i < functions.size(); i++) {
                names.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(functions.get(i)));
            }
            MemorySegment cookies = options.cookies().isEmpty() ? MemorySegment.NULL
                    : arena.allocateFrom(ValueLayout.JAVA_LONG, options.cookies().stream().mapToLong(Long::longValue).toArray());
            var attr = new LinkCreateAttr(arena).progFd(Handles.of(program))
                    .attachType(AttachType.TRACE_KPROBE_MULTI.value())
                    .kprobeMulti(options.retprobe() ? BpfFlags.BPF_F_KPROBE_MULTI_RETURN : 0, functions.size(), names,
                            MemorySegment.NULL, cookies);
            Fd fd;
            try {
                fd = Bpf.linkCreate(attr);
            } catch (SyscallException e) {
                throw switch (e.errno()) {
                    case Errno.EOPNOTSUPP, Errno.ENOTSUPP -> Feature.KPROBE_MULTI.unsupported(
                            "the kernel lacks CONFIG_FPROBE: attach each function with KprobeLink.attach, or use fentry");
                    case Errno.EINVAL -> Feature.KPROBE_MULTI.unsupported(
                            "attach each function with KprobeLink.attach (the kernel said "
                            + Errno.describe(e.errno()) + ")");
                    case Errno.ESRCH, Errno.ENOENT -> new NotFoundException("a function among " + abbreviate(functions)
                            + " is not traceable (not in available_filter_functions)", e);
                    default -> e;
                };
            }
            String description = (options.retprobe() ? "kretprobe.multi " : "kprobe.multi ")
                    + (options.pattern() != null ? options.pattern() : abbreviate(functions));
            return new KprobeLink(description, Mechanism.KPROBE_MULTI, null, new RawLink(fd), null, List.copyOf(functions));
        }
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 5 ? names.toString() : names.subList(0, 5) + " and " + (names.size() - 5) + " more";
    }

    public Mechanism mechanism() {
        return mechanism;
    }

    /** For kprobe_multi: the functions probed; else empty. */
    public List<String> functions() {
        return functions == null ? List.of() : functions;
    }

    /** The tracefs event ({@code jbcc_kprobes/jbcc_PID_N}) when made through tracefs, else null. */
    public String tracefsEvent() {
        return tracefsEvent;
    }

    /** The bpf_link (perf_event or kprobe_multi), or null when attached by ioctl. */
    public RawLink rawLink() {
        return multiLink != null ? multiLink : attachment.link;
    }

    @Override
    public void pin(Path path) {
        if (multiLink != null) multiLink.pin(path);
        else attachment.pin(path, "kprobe");
    }

    @Override
    public void unpin() {
        if (multiLink != null) multiLink.unpin();
        else attachment.unpin();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (multiLink != null) multiLink.close();
        else attachment.close();
    }

    @Override
    public String toString() {
        return "KprobeLink[" + description + ", " + mechanism + (closed.get() ? ", closed" : "") + "]";
    }
}
