package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.Collection;
import dev.jbcc.CollectionOptions;
import dev.jbcc.Program;
import dev.jbcc.bcc.dialect.AutoAttach;
import dev.jbcc.bcc.dialect.BccCompiler;
import dev.jbcc.bcc.dialect.BccFunction;
import dev.jbcc.bcc.dialect.BccProgram;
import dev.jbcc.bcc.dialect.BccTable;
import dev.jbcc.compile.Source;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.link.KprobeLink;
import dev.jbcc.link.KprobeOptions;
import dev.jbcc.link.Kprobes;
import dev.jbcc.link.Link;
import dev.jbcc.link.LsmLink;
import dev.jbcc.link.PerfEventLink;
import dev.jbcc.link.PerfEventOptions;
import dev.jbcc.link.RawTracepointLink;
import dev.jbcc.link.SocketFilter;
import dev.jbcc.link.TracepointLink;
import dev.jbcc.link.TracingLink;
import dev.jbcc.link.UprobeLink;
import dev.jbcc.link.UprobeOptions;
import dev.jbcc.link.UsdtLink;
import dev.jbcc.link.UsdtOptions;
import dev.jbcc.link.XdpLink;
import dev.jbcc.link.XdpOptions;
import dev.jbcc.perf.PerfBufferReader;
import dev.jbcc.ringbuf.RingBufferPoller;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ProgramSpec;
import dev.jbcc.spec.ProgramType;
import dev.jbcc.symbols.KernelSymbols;
import dev.jbcc.symbols.ResolvedAddress;
import dev.jbcc.symbols.UserSymbols;
import dev.jbcc.trace.TraceEvent;
import dev.jbcc.trace.TracePipe;
import dev.jbcc.trace.Tracefs;
import dev.jbcc.usdt.UsdtProbe;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A bcc program, compiled, loaded and attached: bcc's Python {@code BPF} class in Java.
 *
 * <pre>{@code
 * try (BPF b = BPF.fromText("""
 *         int hello(void *ctx) { bpf_trace_printk("Hello, World!\\n"); return 0; }
 *         """)) {
 *     b.attachKprobe(b.getSyscallFnName("clone"), "hello");
 *     b.tracePrint();
 * }
 * }</pre>
 *
 * <p>Construction compiles the text (bcc's C dialect, see {@link BccCompiler}), creates every
 * table, and loads and attaches the functions whose names ask for it ({@code kprobe__X},
 * {@code kretprobe__X}, {@code tracepoint__CAT__EV}, {@code raw_tracepoint__X}, {@code kfunc__X},
 * {@code kretfunc__X}, {@code lsm__X}) as bcc does. Other functions load on demand
 * ({@link #loadFunc}, or any {@code attach*} naming them), each over the same tables.
 *
 * <p>USDT probes come in {@link USDT} contexts given to {@link Builder#usdtContexts}: their
 * functions read probe arguments with {@code bpf_usdt_readarg} and are attached at construction,
 * as bcc's {@code BPF(text=..., usdt_contexts=[u])} does.
 *
 * <p>{@link #close()} detaches everything this object attached (probes, XDP programs, clsact
 * qdiscs added through {@link #ipRoute()}), stops the readers and closes every program and table.
 * It is idempotent. Tables declared with {@code BPF_TABLE_PINNED} stay pinned, which is their point.
 */
public final class BPF implements AutoCloseable {
    /**
     * Debug flags (bcc's {@code debug=}), printed to {@link Builder#debugOutput}: the rewritten C
     * ({@link #DEBUG_SOURCE}, {@link #DEBUG_PREPROCESSOR}), the LLVM IR clang makes of it
     * ({@link #DEBUG_LLVM_IR}), each function's verifier log after it loads ({@link #DEBUG_BPF}: log
     * level 1; {@link #DEBUG_BPF_REGISTER_STATE}: level 2, with the registers at every instruction).
     */
    public static final int DEBUG_LLVM_IR = 0x1, DEBUG_BPF = 0x2, DEBUG_PREPROCESSOR = 0x4, DEBUG_SOURCE = 0x8,
            DEBUG_BPF_REGISTER_STATE = 0x10, DEBUG_BTF = 0x20;

    /** Program types under bcc's names ({@code BPF.XDP}, {@code BPF.SCHED_CLS}, ...). */
    public static final ProgramType SOCKET_FILTER = ProgramType.SOCKET_FILTER, KPROBE = ProgramType.KPROBE,
            SCHED_CLS = ProgramType.SCHED_CLS, SCHED_ACT = ProgramType.SCHED_ACT, TRACEPOINT = ProgramType.TRACEPOINT,
            XDP = ProgramType.XDP, PERF_EVENT = ProgramType.PERF_EVENT, CGROUP_SKB = ProgramType.CGROUP_SKB,
            CGROUP_SOCK = ProgramType.CGROUP_SOCK, LWT_IN = ProgramType.LWT_IN, LWT_OUT = ProgramType.LWT_OUT,
            LWT_XMIT = ProgramType.LWT_XMIT, SOCK_OPS = ProgramType.SOCK_OPS, SK_SKB = ProgramType.SK_SKB,
            CGROUP_DEVICE = ProgramType.CGROUP_DEVICE, SK_MSG = ProgramType.SK_MSG,
            RAW_TRACEPOINT = ProgramType.RAW_TRACEPOINT, CGROUP_SOCK_ADDR = ProgramType.CGROUP_SOCK_ADDR,
            TRACING = ProgramType.TRACING, LSM = ProgramType.LSM;

    /** XDP attach flags, bcc's {@code BPF.XDP_FLAGS_*}. */
    public static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1, XDP_FLAGS_SKB_MODE = 2, XDP_FLAGS_DRV_MODE = 4,
            XDP_FLAGS_HW_MODE = 8, XDP_FLAGS_REPLACE = 16;

    private static final Pattern NOT_PROBEABLE = Pattern.compile("^(__SCT__.*|.*\\.cold(\\.\\d+)?|.*\\.part\\.\\d+|__ftrace_invalid_address.*|_?_?bpf_trace_.*)$");

    private final BccProgram program;
    private final Collection tables;
    private final Map<String, BpfMap> allMaps;
    private final List<BpfMap> pinnedMaps;
    private final Map<String, Table> tableViews = new LinkedHashMap<>();
    private final Map<String, BpfFunction> functions = new LinkedHashMap<>();
    /** Attachments by bcc's event key ("kprobe:tcp_v4_connect"), in attach order. */
    private final Map<String, List<Link>> links = new LinkedHashMap<>();
    private final Map<String, XdpLink> xdpLinks = new LinkedHashMap<>();
    private final List<PerfBufferReader> perfReaders = new CopyOnWriteArrayList<>();
    private final List<IpRoute> ipRoutes = new ArrayList<>();
    private RingBufferPoller ringPoller;
    private TracePipe tracePipe;
    private boolean closed;
    private final int debug;
    private final PrintStream debugOut;

    private BPF(BccProgram program, Collection tables, Map<String, BpfMap> allMaps, List<BpfMap> pinnedMaps, int debug,
                PrintStream debugOut) {
        this.debug = debug;
        this.debugOut = debugOut;
        this.program = program;
        this.tables = tables;
        this.allMaps = allMaps;
        this.pinnedMaps = pinnedMaps;
    }

    // ---------------------------------------------------------------------------------------------
    // Construction

    /** Compiles and loads bcc program text (bcc's {@code BPF(text=...)}). */
    public static BPF fromText(String text) {
        return builder().text(text).build();
    }

    /** Compiles and loads a bcc program file (bcc's {@code BPF(src_file=...)}); its directory is on the quote include path. */
    public static BPF fromFile(Path file) {
        return builder().file(file).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** bcc's constructor arguments: the text or file, {@code cflags}, {@code debug}. */
    public static final class Builder {
        private Source source;
        private final List<String> cflags = new ArrayList<>();
        private int debug;
        private BccCompiler compiler;
        private PrintStream debugOut = System.err;
        private final List<USDT> usdtContexts = new ArrayList<>();

        private Builder() {}

        /**
         * USDT contexts (bcc's {@code usdt_contexts=[u]}): their enabled functions read probe
         * arguments with {@code bpf_usdt_readarg} and are attached to every site of their probe.
         */
        public Builder usdtContexts(USDT... contexts) {
            usdtContexts.addAll(List.of(contexts));
            return this;
        }

        public Builder usdtContexts(List<USDT> contexts) {
            usdtContexts.addAll(contexts);
            return this;
        }

        public Builder text(String text) {
            this.source = Source.of("bpf_text.c", text);
            return this;
        }

        /** Text with a name for messages ("prog.c:12: error: ..."). */
        public Builder text(String name, String text) {
            this.source = Source.of(name, text);
            return this;
        }

        public Builder file(Path file) {
            this.source = Source.read(file);
            return this;
        }

        /** Extra clang flags, e.g. {@code -DMAX_PID=100}. */
        public Builder cflags(String... flags) {
            cflags.addAll(List.of(flags));
            return this;
        }

        public Builder cflags(List<String> flags) {
            cflags.addAll(flags);
            return this;
        }

        /** bcc's debug flags; {@link #DEBUG_SOURCE} and {@link #DEBUG_PREPROCESSOR} print the C clang compiled. */
        public Builder debug(int flags) {
            this.debug = flags;
            return this;
        }

        /** Where debug output goes (standard error by default). */
        public Builder debugOutput(PrintStream out) {
            this.debugOut = out;
            return this;
        }

        /** The compiler to use (a cache directory, another clang); {@link BccCompiler#create()} by default. */
        public Builder compiler(BccCompiler compiler) {
            this.compiler = compiler;
            return this;
        }

        /**
         * Compiles, creates the tables, loads and attaches the auto-attach functions.
         *
         * @throws dev.jbcc.errors.CompileException naming the C line, for errors in the program
         * @throws dev.jbcc.errors.VerifierException naming the C line, when the kernel rejects a function
         */
        public BPF build() {
            if (source == null) throw new IllegalStateException("give the program: text(...) or file(...)");
            BccCompiler c = compiler != null ? compiler : Compilers.get();
            var bindings = new ArrayList<dev.jbcc.bcc.dialect.UsdtBinding>();
            for (USDT u : usdtContexts) bindings.addAll(u.bindings());
            BccProgram compiled = c.compile(source, cflags, bindings);
            if ((debug & (DEBUG_SOURCE | DEBUG_PREPROCESSOR)) != 0) {
                debugOut.println(compiled.rewritten());
                debugOut.flush();
            }
            if ((debug & DEBUG_LLVM_IR) != 0) {
                debugOut.print(c.llvmIr(compiled, source.includeDirectory(), cflags, bindings));
                debugOut.flush();
            }
            return load(compiled, usdtContexts, debug, debugOut);
        }
    }

    /**
     * One compiler (and so one prelude and cache) per process, made on first use. Not a class
     * holder: a failure (no clang, an unusable cache directory) is thrown as it is, and the next
     * call tries again, so that installing clang fixes a running JVM too.
     */
    private static final class Compilers {
        private static BccCompiler instance;

        static synchronized BccCompiler get() {
            if (instance == null) instance = BccCompiler.create();
            return instance;
        }
    }

    /** Loads a program compiled beforehand (e.g. to time or inspect the compile separately). */
    public static BPF load(BccProgram compiled) {
        return load(compiled, List.of());
    }

    /**
     * Loads a program compiled beforehand with the USDT contexts' bindings
     * ({@code compiler.compile(source, cflags, bindings)}) and attaches their probes.
     */
    public static BPF load(BccProgram compiled, List<USDT> usdtContexts) {
        return load(compiled, usdtContexts, 0, System.err);
    }

    private static BPF load(BccProgram compiled, List<USDT> usdtContexts, int debug, PrintStream debugOut) {
        List<BpfMap> pinned = new ArrayList<>();
        Collection created = null;
        BPF bpf = null;
        try {
            Map<String, BpfMap> replacements = new LinkedHashMap<>();
            for (BccTable t : compiled.tables().values()) {
                if (t.pinnedPath() != null && Files.exists(Path.of(t.pinnedPath()))) {
                    BpfMap m = BpfMap.openPinned(Path.of(t.pinnedPath()));
                    pinned.add(m);
                    replacements.put(t.name(), m);
                }
            }
            created = Collection.load(compiled.spec(),
                    CollectionOptions.defaults().withPrograms(java.util.Set.of()).withMapReplacements(replacements));
            for (BccTable t : compiled.tables().values()) {
                if (t.pinnedPath() != null && !replacements.containsKey(t.name())) created.map(t.name()).pin(Path.of(t.pinnedPath()));
            }
            Map<String, BpfMap> all = new LinkedHashMap<>(created.maps());
            all.putAll(replacements);
            bpf = new BPF(compiled, created, Map.copyOf(all), pinned, debug, debugOut);
            // Open the trace output before anything is attached, so no early line is missed.
            if (compiled.source().contains("bpf_trace_printk")) bpf.tracePipe();
            bpf.autoAttach();
            for (USDT u : usdtContexts) bpf.attachUsdt(u);
            return bpf;
        } catch (Throwable t) {
            if (bpf != null) {
                closeQuietly(bpf, t);
            } else {
                if (created != null) closeQuietly(created, t);
                for (BpfMap m : pinned) closeQuietly(m, t);
            }
            throw t;
        }
    }

    private static void closeQuietly(AutoCloseable c, Throwable primary) {
        try {
            c.close();
        } catch (Exception e) {
            primary.addSuppressed(e);
        }
    }

    private void autoAttach() {
        for (BccFunction f : program.functions()) {
            AutoAttach auto = f.autoAttach();
            if (auto == null) continue;
            switch (auto) {
                case AutoAttach.Kprobe k -> attachKprobe(k.syscall() ? syscallEntry(k.target()) : k.target(), 0, f.name());
                case AutoAttach.Kretprobe k -> attachKretprobe(k.syscall() ? syscallEntry(k.target()) : k.target(), f.name(), 0);
                case AutoAttach.Tracepoint t -> attachTracepoint(t.category() + ":" + t.event(), f.name());
                case AutoAttach.RawTracepoint r -> attachRawTracepoint(r.event(), f.name());
                case AutoAttach.Kfunc k -> attachKfunc(f.name());
                case AutoAttach.Kretfunc k -> attachKretfunc(f.name());
                case AutoAttach.Lsm l -> attachLsm(f.name());
            }
        }
    }

    /** Attaches each function a context enabled to every site of its probe, as bcc does at construction. */
    private void attachUsdt(USDT context) {
        for (USDT.Enabled e : context.enabledProbes()) {
            BpfFunction f = function(e.function(), KPROBE);
            UsdtProbe probe = e.probe();
            UsdtOptions options = UsdtOptions.of(probe.binary(), probe.provider(), probe.name());
            if (context.pid() > 0) options = options.withPid(context.pid());
            track("usdt:" + probe.binary() + ":" + probe.qualifiedName() + ":" + e.function(),
                    UsdtLink.attach(f.program(), options));
        }
    }

    /** bcc's fix for {@code kprobe__sys_NAME}: the kernel's syscall entry for NAME. */
    private static String syscallEntry(String target) {
        return Kprobes.syscallFunction(target.substring("sys_".length()));
    }

    // ---------------------------------------------------------------------------------------------
    // Functions

    /** The compiled program: its rewritten C, tables and functions as the dialect saw them. */
    public BccProgram program() {
        return program;
    }

    /**
     * Loads function {@code name} as a program of {@code type} (bcc's {@code load_func}); the
     * same function and type loads once. The type may differ from the one the dialect inferred
     * (e.g. SOCKET_FILTER for an {@code __sk_buff} function).
     *
     * @throws NotFoundException naming the functions there are, if there is no such function
     * @throws dev.jbcc.errors.VerifierException with the verifier's reason and the C line
     */
    public synchronized BpfFunction loadFunc(String name, ProgramType type) {
        checkOpen();
        String key = name + "/" + type;
        BpfFunction loaded = functions.get(key);
        if (loaded != null) return loaded;
        CollectionSpec spec = program.spec();
        ProgramSpec ps = spec.programs().get(name);
        if (ps == null) {
            throw new NotFoundException("no function " + name + " in " + program.sourceName() + "; its functions are "
                    + program.functions().stream().map(BccFunction::name).toList()
                    + " (static functions are inlined, not loadable)");
        }
        if (ps.type() != type) ps = ps.withType(type);
        // bcc: DEBUG_BPF_REGISTER_STATE asks for log level 2, DEBUG_BPF for level 1, printed after a successful load.
        int logLevel = (debug & DEBUG_BPF_REGISTER_STATE) != 0 ? 2 : (debug & DEBUG_BPF) != 0 ? 1 : 0;
        Program p;
        try (Collection one = Collection.load(spec.withProgram(ps), CollectionOptions.defaults()
                .withPrograms(java.util.Set.of(name)).withMapReplacements(allMaps).withLogLevel(logLevel))) {
            p = one.detachProgram(name);
        }
        if (logLevel > 0) {
            debugOut.print(p.verifierLog());
            debugOut.flush();
        }
        BpfFunction f = new BpfFunction(name, p);
        functions.put(key, f);
        return f;
    }

    /** Loads {@code name} as the type the dialect inferred for it. */
    public BpfFunction loadFunc(String name) {
        return loadFunc(name, inferredType(name));
    }

    private ProgramType inferredType(String name) {
        ProgramSpec ps = program.spec().programs().get(name);
        if (ps == null) return loadFunc(name, ProgramType.UNSPEC).type(); // throws the "no function" error
        return ps.type();
    }

    private BpfFunction function(String name, ProgramType type) {
        return loadFunc(name, type);
    }

    private synchronized <L extends Link> L track(String key, L link) {
        links.computeIfAbsent(key, k -> new ArrayList<>()).add(link);
        return link;
    }

    private synchronized void detach(String key) {
        List<Link> attached = links.remove(key);
        if (attached == null) throw new IllegalArgumentException("nothing attached at " + key + "; attached: " + links.keySet());
        closeAll(attached);
    }

    private static void closeAll(List<? extends AutoCloseable> items) {
        RuntimeException failure = null;
        for (AutoCloseable c : items.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
    }

    // ---------------------------------------------------------------------------------------------
    // kprobes

    /** The kernel function of syscall {@code name} ("clone" → "__x64_sys_clone"), bcc's {@code get_syscall_fnname}. */
    public String getSyscallFnName(String name) {
        return Kprobes.syscallFunction(name);
    }

    /**
     * Runs {@code fnName} when kernel function {@code event} is entered.
     *
     * @throws dev.jbcc.errors.UnsupportedFeatureException on a kernel without CONFIG_KPROBES, naming the hook to use instead
     */
    public KprobeLink attachKprobe(String event, String fnName) {
        return attachKprobe(event, 0, fnName);
    }

    /** {@code event_off} bytes into {@code event}. */
    public KprobeLink attachKprobe(String event, long eventOffset, String fnName) {
        BpfFunction f = function(fnName, KPROBE);
        KprobeOptions options = KprobeOptions.symbol(event);
        if (eventOffset != 0) options = options.withOffset(eventOffset);
        return track("kprobe:" + event, KprobeLink.attach(f.program(), options));
    }

    /**
     * Attaches {@code fnName} to every probeable kernel function whose name matches {@code eventRe}
     * from its start (bcc's {@code event_re}); functions the kernel refuses are skipped.
     *
     * @throws NotFoundException if none matches or none could be probed
     */
    public List<KprobeLink> attachKprobeRegex(String eventRe, String fnName) {
        return attachKprobes(eventRe, fnName, false, 0);
    }

    /** Runs {@code fnName} when kernel function {@code event} returns. */
    public KprobeLink attachKretprobe(String event, String fnName) {
        return attachKretprobe(event, fnName, 0);
    }

    /** @param maxActive how many concurrent returns to track (0: the kernel's default) */
    public KprobeLink attachKretprobe(String event, String fnName, int maxActive) {
        BpfFunction f = function(fnName, KPROBE);
        KprobeOptions options = KprobeOptions.symbol(event).asRetprobe();
        if (maxActive > 0) options = options.withMaxActive(maxActive);
        return track("kretprobe:" + event, KprobeLink.attach(f.program(), options));
    }

    public List<KprobeLink> attachKretprobeRegex(String eventRe, String fnName) {
        return attachKprobes(eventRe, fnName, true, 0);
    }

    private List<KprobeLink> attachKprobes(String eventRe, String fnName, boolean retprobe, int maxActive) {
        BpfFunction f = function(fnName, KPROBE);
        List<String> matches = kprobeFunctions(eventRe);
        List<KprobeLink> attached = new ArrayList<>();
        RuntimeException last = null;
        for (String event : matches) {
            KprobeOptions options = KprobeOptions.symbol(event);
            if (retprobe) options = options.asRetprobe();
            if (maxActive > 0) options = options.withMaxActive(maxActive);
            try {
                attached.add(track((retprobe ? "kretprobe:" : "kprobe:") + event, KprobeLink.attach(f.program(), options)));
            } catch (dev.jbcc.errors.UnsupportedFeatureException e) {
                throw e; // no kprobes at all: one clear error, not one per function
            } catch (RuntimeException e) {
                last = e;
            }
        }
        if (attached.isEmpty()) {
            NotFoundException e = new NotFoundException("no kernel function matching '" + eventRe + "' could be probed ("
                    + matches.size() + " matched)");
            if (last != null) e.addSuppressed(last);
            throw e;
        }
        return attached;
    }

    /** Traceable kernel functions whose names match {@code eventRe} from the start (bcc's {@code get_kprobe_functions}). */
    public static List<String> getKprobeFunctions(String eventRe) {
        return kprobeFunctions(eventRe);
    }

    private static List<String> kprobeFunctions(String eventRe) {
        Pattern p = Pattern.compile(eventRe);
        List<String> out = new ArrayList<>();
        for (String fn : Kprobes.matching("*")) {
            if (p.matcher(fn).lookingAt() && !NOT_PROBEABLE.matcher(fn).matches()) out.add(fn);
        }
        if (out.isEmpty()) throw new NotFoundException("no traceable kernel function matches '" + eventRe + "'");
        return out;
    }

    public void detachKprobe(String event) {
        detach("kprobe:" + event);
    }

    public void detachKretprobe(String event) {
        detach("kretprobe:" + event);
    }

    // ---------------------------------------------------------------------------------------------
    // tracepoints, raw tracepoints, kfunc/kretfunc, LSM

    /** Runs {@code fnName} at tracepoint {@code tp} ("category:event", e.g. "syscalls:sys_enter_clone"). */
    public TracepointLink attachTracepoint(String tp, String fnName) {
        int colon = tp.indexOf(':');
        if (colon <= 0 || colon == tp.length() - 1) {
            throw new IllegalArgumentException("tracepoint '" + tp + "' must be \"category:event\", e.g. \"sched:sched_switch\"");
        }
        BpfFunction f = function(fnName, TRACEPOINT);
        return track("tracepoint:" + tp, TracepointLink.attach(f.program(), tp.substring(0, colon), tp.substring(colon + 1)));
    }

    /** Attaches to every tracepoint whose "category:event" matches {@code tpRe} from the start. */
    public List<TracepointLink> attachTracepointRegex(String tpRe, String fnName) {
        List<TracepointLink> out = new ArrayList<>();
        for (String tp : getTracepoints(tpRe)) out.add(attachTracepoint(tp, fnName));
        if (out.isEmpty()) throw new NotFoundException("no tracepoint matches '" + tpRe + "'");
        return out;
    }

    /** Tracepoints ("category:event") whose names match {@code tpRe} from the start. */
    public static List<String> getTracepoints(String tpRe) {
        Pattern p = Pattern.compile(tpRe);
        Path events = Tracefs.path().resolve("events");
        List<String> out = new ArrayList<>();
        try (Stream<Path> categories = Files.list(events)) {
            for (Path category : categories.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> names = Files.list(category)) {
                    for (Path ev : names.filter(d -> Files.exists(d.resolve("format"))).sorted().toList()) {
                        String tp = category.getFileName() + ":" + ev.getFileName();
                        if (p.matcher(tp).lookingAt()) out.add(tp);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + events, e);
        }
        return out;
    }

    /** Whether tracepoint "category:event" exists on this kernel. */
    public static boolean tracepointExists(String category, String event) {
        return Files.exists(Tracefs.path().resolve("events").resolve(category).resolve(event).resolve("format"));
    }

    public void detachTracepoint(String tp) {
        detach("tracepoint:" + tp);
    }

    /** Runs {@code fnName} at raw tracepoint {@code tp} (e.g. "sched_switch"). */
    public RawTracepointLink attachRawTracepoint(String tp, String fnName) {
        BpfFunction f = function(fnName, RAW_TRACEPOINT);
        return track("raw_tracepoint:" + tp, RawTracepointLink.attach(f.program(), tp));
    }

    public void detachRawTracepoint(String tp) {
        detach("raw_tracepoint:" + tp);
    }

    /** Attaches a {@code KFUNC_PROBE} (fentry) function; the target is in its compiled section. */
    public TracingLink attachKfunc(String fnName) {
        return track("kfunc:" + fnName, TracingLink.attach(function(fnName, TRACING).program()));
    }

    /** Attaches a {@code KRETFUNC_PROBE} (fexit) function. */
    public TracingLink attachKretfunc(String fnName) {
        return track("kretfunc:" + fnName, TracingLink.attach(function(fnName, TRACING).program()));
    }

    /** Attaches an {@code LSM_PROBE} function to its hook. */
    public LsmLink attachLsm(String fnName) {
        return track("lsm:" + fnName, LsmLink.attach(function(fnName, LSM).program()));
    }

    // ---------------------------------------------------------------------------------------------
    // uprobes and perf events

    /**
     * Runs {@code fnName} when {@code sym} in binary {@code name} is entered (bcc's
     * {@code attach_uprobe(name=, sym=, fn_name=, pid=)}). {@code name} is a path or a library
     * name ("c" for libc).
     *
     * @param pid only this process triggers it; -1 for all
     */
    public UprobeLink attachUprobe(String name, String sym, String fnName, int pid) {
        return attachUprobe(UprobeOptions.symbol(name, sym), fnName, pid, false);
    }

    public UprobeLink attachUprobe(String name, String sym, String fnName) {
        return attachUprobe(name, sym, fnName, -1);
    }

    /** At virtual address {@code addr} of binary {@code name} (bcc's {@code addr=}). */
    public UprobeLink attachUprobe(String name, long addr, String fnName, int pid) {
        return attachUprobe(UprobeOptions.address(name, addr), fnName, pid, false);
    }

    /** At every function symbol of {@code name} matching {@code symRe} from the start (bcc's {@code sym_re=}). */
    public List<UprobeLink> attachUprobeRegex(String name, String symRe, String fnName, int pid) {
        return uprobesMatching(name, symRe, fnName, pid, false);
    }

    public UprobeLink attachUretprobe(String name, String sym, String fnName, int pid) {
        return attachUprobe(UprobeOptions.symbol(name, sym), fnName, pid, true);
    }

    public UprobeLink attachUretprobe(String name, String sym, String fnName) {
        return attachUretprobe(name, sym, fnName, -1);
    }

    public UprobeLink attachUretprobe(String name, long addr, String fnName, int pid) {
        return attachUprobe(UprobeOptions.address(name, addr), fnName, pid, true);
    }

    public List<UprobeLink> attachUretprobeRegex(String name, String symRe, String fnName, int pid) {
        return uprobesMatching(name, symRe, fnName, pid, true);
    }

    private UprobeLink attachUprobe(UprobeOptions options, String fnName, int pid, boolean retprobe) {
        BpfFunction f = function(fnName, KPROBE);
        if (pid > 0) options = options.withPid(pid);
        if (retprobe) options = options.asRetprobe();
        return track(uprobeKey(options), UprobeLink.attach(f.program(), options));
    }

    private List<UprobeLink> uprobesMatching(String name, String symRe, String fnName, int pid, boolean retprobe) {
        Path binary = dev.jbcc.symbols.Libraries.resolve(name, pid > 0 ? pid : -1);
        List<UprobeLink> out = new ArrayList<>();
        for (String sym : getUserFunctions(name, symRe, pid)) {
            out.add(attachUprobe(UprobeOptions.symbol(binary.toString(), sym), fnName, pid, retprobe));
        }
        return out;
    }

    /**
     * The functions of binary or library {@code name} whose names match {@code symRe} from the
     * start, one name per address (the first of aliases such as {@code malloc} and
     * {@code __libc_malloc}), in symbol table order: what {@code attach_uprobe(sym_re=)} attaches.
     *
     * @param pid the process whose view of {@code name} counts, or -1
     * @throws NotFoundException when none matches
     */
    public static List<String> getUserFunctions(String name, String symRe, int pid) {
        Pattern p = Pattern.compile(symRe);
        Path binary = dev.jbcc.symbols.Libraries.resolve(name, pid > 0 ? pid : -1);
        var byAddress = new java.util.LinkedHashMap<Long, String>();
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var elf = dev.jbcc.elf.ElfFile.map(binary, arena);
            for (var s : Stream.concat(elf.symbols().stream(), elf.dynamicSymbols().stream()).toList()) {
                if (s.type() == dev.jbcc.elf.Symbol.Type.FUNC && !s.isUndefined() && s.value() != 0
                        && p.matcher(s.name()).lookingAt()) byAddress.putIfAbsent(s.value(), s.name());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + binary, e);
        }
        if (byAddress.isEmpty()) throw new NotFoundException("no function in " + binary + " matches '" + symRe + "'");
        return List.copyOf(byAddress.values());
    }

    private static String uprobeKey(UprobeOptions o) {
        String where = switch (o.location()) {
            case UprobeOptions.Location.Symbol s -> s.name() + (s.offset() != 0 ? "+" + s.offset() : "");
            case UprobeOptions.Location.Address a -> "0x" + Long.toHexString(a.address());
            case UprobeOptions.Location.FileOffset f -> "@" + f.offset();
        };
        return (o.retprobe() ? "uretprobe:" : "uprobe:") + o.target() + ":" + where + (o.pid() > 0 ? ":" + o.pid() : "");
    }

    /** Detaches the uprobes attached at {@code sym} of {@code name} (and {@code pid}, or -1). */
    public void detachUprobe(String name, String sym, int pid) {
        detach(uprobeKey(withPid(UprobeOptions.symbol(name, sym), pid)));
    }

    public void detachUretprobe(String name, String sym, int pid) {
        detach(uprobeKey(withPid(UprobeOptions.symbol(name, sym), pid).asRetprobe()));
    }

    private static UprobeOptions withPid(UprobeOptions o, int pid) {
        return pid > 0 ? o.withPid(pid) : o;
    }

    /**
     * Runs {@code fnName} on a perf event (bcc's {@code attach_perf_event}): every online CPU
     * unless {@code cpu} is given, sampling every {@code samplePeriod} events or
     * {@code sampleFreq} times a second (give one, the other 0).
     *
     * @param pid a thread to watch, or -1 for all
     * @param cpu a CPU, or -1 for every online CPU
     */
    public PerfEventLink attachPerfEvent(int evType, long evConfig, String fnName, long samplePeriod, long sampleFreq,
                                         int pid, int cpu) {
        BpfFunction f = function(fnName, PERF_EVENT);
        PerfEventOptions options = PerfEventOptions.of(evType, evConfig);
        if (samplePeriod > 0) options = options.withSamplePeriod(samplePeriod);
        else if (sampleFreq > 0) options = options.withSampleFrequency(sampleFreq);
        else throw new IllegalArgumentException("give a sample period or a sample frequency");
        if (pid > 0) options = options.withThread(pid);
        if (cpu >= 0) options = options.withCpu(cpu);
        return track("perf_event:" + evType + ":" + evConfig, PerfEventLink.attach(f.program(), options));
    }

    public void detachPerfEvent(int evType, long evConfig) {
        detach("perf_event:" + evType + ":" + evConfig);
    }

    /** How many kprobes and kretprobes are attached (bcc's {@code num_open_kprobes}). */
    public synchronized int numOpenKprobes() {
        return countLinks("kprobe:", "kretprobe:");
    }

    /** How many uprobes, uretprobes and USDT probes are attached; a USDT probe counts once per site. */
    public synchronized int numOpenUprobes() {
        int n = countLinks("uprobe:", "uretprobe:");
        for (var e : links.entrySet()) {
            if (!e.getKey().startsWith("usdt:")) continue;
            for (Link l : e.getValue()) n += ((UsdtLink) l).links().size();
        }
        return n;
    }

    public synchronized int numOpenTracepoints() {
        return countLinks("tracepoint:", "raw_tracepoint:");
    }

    private int countLinks(String... prefixes) {
        int n = 0;
        for (var e : links.entrySet()) {
            for (String p : prefixes) if (e.getKey().startsWith(p)) n += e.getValue().size();
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------
    // networking

    /**
     * Attaches an XDP function to {@code dev} (bcc's {@code attach_xdp}); flags are bcc's
     * {@code XDP_FLAGS_*}. Detached by {@link #removeXdp} or {@link #close()}.
     */
    public synchronized XdpLink attachXdp(String dev, BpfFunction fn, int flags) {
        checkOpen();
        if (xdpLinks.containsKey(dev)) {
            throw new IllegalStateException("this BPF already attached an XDP program to " + dev + "; removeXdp it first");
        }
        XdpLink link = XdpLink.attach(fn.program(), dev, XdpOptions.ofFlags(flags));
        xdpLinks.put(dev, link);
        return link;
    }

    public XdpLink attachXdp(String dev, BpfFunction fn) {
        return attachXdp(dev, fn, 0);
    }

    /** Loads {@code fnName} as XDP and attaches it. */
    public XdpLink attachXdp(String dev, String fnName, int flags) {
        return attachXdp(dev, function(fnName, XDP), flags);
    }

    /**
     * Removes the XDP program from {@code dev} (bcc's {@code remove_xdp}): the one this object
     * attached, else whatever is attached in the mode {@code flags} name.
     */
    public synchronized void removeXdp(String dev, int flags) {
        XdpLink link = xdpLinks.remove(dev);
        if (link != null) {
            link.close();
            return;
        }
        XdpLink.remove(dev, XdpOptions.ofFlags(flags & ~XDP_FLAGS_UPDATE_IF_NOEXIST).mode());
    }

    public void removeXdp(String dev) {
        removeXdp(dev, 0);
    }

    /**
     * Binds a raw socket to {@code dev} and attaches socket filter {@code fn} (bcc's
     * {@code attach_raw_socket}, which sets {@code fn.sock}): the returned filter's
     * {@link SocketFilter#fd()} and {@code receive} read what the filter passes.
     */
    public SocketFilter attachRawSocket(BpfFunction fn, String dev) {
        if (fn.type() != SOCKET_FILTER) {
            throw new IllegalArgumentException("function " + fn.name() + " was loaded as " + fn.type()
                    + "; load it with loadFunc(name, BPF.SOCKET_FILTER) for a raw socket");
        }
        return track("raw_socket:" + fn.name() + ":" + dev, SocketFilter.attach(fn.program(), dev));
    }

    /**
     * A pyroute2-style client for clsact qdiscs and bpf filters, in the calling thread's network
     * namespace; the qdiscs it adds and does not delete are deleted when this BPF closes.
     */
    public synchronized IpRoute ipRoute() {
        checkOpen();
        IpRoute ipr = IpRoute.owned();
        ipRoutes.add(ipr);
        return ipr;
    }

    // ---------------------------------------------------------------------------------------------
    // tables

    /**
     * The table {@code name} (bcc's {@code b["name"]}), of the class its map type calls for;
     * assign it to that class: {@code HashTable counts = b.get("counts");}.
     *
     * @throws NotFoundException naming the tables there are
     * @throws ClassCastException if assigned to another table class
     */
    @SuppressWarnings("unchecked")
    public synchronized <T extends Table> T get(String name) {
        checkOpen();
        Table t = tableViews.get(name);
        if (t == null) {
            BccTable decl = program.tables().get(name);
            if (decl == null) {
                throw new NotFoundException("no table " + name + " in " + program.sourceName() + "; it has "
                        + program.tables().keySet());
            }
            t = Table.of(this, decl, allMaps.get(name));
            tableViews.put(name, t);
        }
        return (T) t;
    }

    /** bcc's {@code get_table(name)}. */
    public <T extends Table> T getTable(String name) {
        return get(name);
    }

    /** Every table, by name. */
    public Map<String, Table> tables() {
        Map<String, Table> out = new LinkedHashMap<>();
        for (String name : program.tables().keySet()) out.put(name, get(name));
        return out;
    }

    synchronized void registerPerfReader(PerfBufferReader reader) {
        if (closed) {
            reader.close();
            checkOpen();
        }
        perfReaders.add(reader);
    }

    synchronized RingBufferPoller ringBufferPoller() {
        checkOpen();
        if (ringPoller == null) ringPoller = RingBufferPoller.create();
        return ringPoller;
    }

    /**
     * Delivers the records of every open perf buffer to their callbacks, waiting up to
     * {@code timeoutMs} for the first (-1: without limit), as bcc's {@code perf_buffer_poll}.
     *
     * @return records delivered
     */
    public int perfBufferPoll(int timeoutMs) {
        List<PerfBufferReader> readers = List.copyOf(perfReaders);
        if (readers.isEmpty()) throw new IllegalStateException("no perf buffer is open; call openPerfBuffer on a BPF_PERF_OUTPUT table first");
        if (readers.size() == 1) {
            return timeoutMs < 0 ? readers.getFirst().poll() : readers.getFirst().poll(Duration.ofMillis(timeoutMs));
        }
        // Several tables: take what is there, else wait in short turns so no table starves another.
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            int delivered = 0;
            for (PerfBufferReader r : readers) delivered += r.consume();
            if (delivered > 0) return delivered;
            long left = deadline - System.nanoTime();
            if (left <= 0) return 0;
            long slice = Math.max(1, Math.min(left / 1_000_000L, 20) / readers.size());
            for (PerfBufferReader r : readers) {
                delivered += r.poll(Duration.ofMillis(slice));
            }
            if (delivered > 0) return delivered;
        }
    }

    public int perfBufferPoll() {
        return perfBufferPoll(-1);
    }

    /** {@link #perfBufferPoll(int)} when a perf buffer is open, else 0 at once (for loops over optional outputs). */
    public int perfBufferPollIfOpen(int timeoutMs) {
        return perfReaders.isEmpty() ? 0 : perfBufferPoll(timeoutMs);
    }

    /** {@link #ringBufferConsume()} when a ring buffer is open, else 0. */
    public synchronized int ringBufferConsumeIfOpen() {
        return ringPoller == null ? 0 : ringPoller.consume();
    }

    /** Delivers what every open ring buffer holds, waiting up to {@code timeoutMs} (-1: without limit). */
    public int ringBufferPoll(int timeoutMs) {
        RingBufferPoller poller = ringBufferPoller();
        return timeoutMs < 0 ? poller.poll() : poller.poll(Duration.ofMillis(timeoutMs));
    }

    public int ringBufferPoll() {
        return ringBufferPoll(-1);
    }

    /** Delivers what every open ring buffer holds, without waiting. */
    public int ringBufferConsume() {
        return ringBufferPoller().consume();
    }

    // ---------------------------------------------------------------------------------------------
    // trace_pipe

    /**
     * The trace output this BPF reads: a tracing instance of its own with the bpf_trace_printk
     * event enabled, so that other readers of the global trace_pipe (other tools, other BPF
     * objects) cannot take its lines; the global pipe on kernels without that event.
     */
    private synchronized TracePipe tracePipe() {
        checkOpen();
        if (tracePipe == null) {
            try {
                tracePipe = TracePipe.openPrivate();
            } catch (UncheckedIOException | IllegalArgumentException e) {
                System.getLogger(BPF.class.getName()).log(System.Logger.Level.DEBUG,
                        "no private tracing instance ({0}); reading the global trace_pipe", e.getMessage());
                tracePipe = TracePipe.open();
            }
        }
        return tracePipe;
    }

    /** The next trace_pipe line, waiting as long as it takes (bcc's {@code trace_readline}). */
    public String traceReadline() {
        return tracePipe().readLine();
    }

    /** The next trace_pipe line, or null if none came within {@code timeout}. */
    public String traceReadline(Duration timeout) {
        return tracePipe().readLine(timeout);
    }

    /** The next trace_pipe event split into bcc's (task, pid, cpu, flags, ts, msg); waits as long as it takes. */
    public TraceEvent traceFields() {
        while (true) {
            Optional<TraceEvent> e = tracePipe().readEvent(Duration.ofDays(1));
            if (e.isPresent()) return e.get();
        }
    }

    public Optional<TraceEvent> traceFields(Duration timeout) {
        return tracePipe().readEvent(timeout);
    }

    /** Prints trace_pipe lines to standard output until the thread is interrupted or this BPF closes. */
    public void tracePrint() {
        tracePrint(null, null);
    }

    /** Prints trace_pipe lines formatted by {@code format} (null: as read) for {@code duration} (null: until closed). */
    public void tracePrint(Function<TraceEvent, String> format, Duration duration) {
        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        TracePipe pipe = tracePipe();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                String line = pipe.readLine(Duration.ofNanos(Math.min(left, 200_000_000L)));
                if (line == null) continue;
                if (format == null) {
                    System.out.println(line);
                } else {
                    Optional<TraceEvent> e = TraceEvent.parse(line);
                    if (e.isPresent()) System.out.println(format.apply(e.get()));
                }
                System.out.flush();
            }
        } catch (dev.jbcc.errors.AlreadyClosedException e) {
            // close() from another thread (e.g. a shutdown hook) ends the printing loop.
        }
    }

    // ---------------------------------------------------------------------------------------------
    // symbols

    /** The kernel symbol at {@code addr}, or "[unknown]" (bcc's {@code ksym}). */
    public static String ksym(long addr) {
        return ksym(addr, false, false);
    }

    /** With {@code showModule}: " [module]"; with {@code showOffset}: "+0x1a". */
    public static String ksym(long addr, boolean showModule, boolean showOffset) {
        return format(KernelSymbols.shared().resolve(addr), showModule, showOffset);
    }

    /** The address of kernel symbol {@code name}, or -1 (bcc's {@code ksymname}). */
    public static long ksymname(String name) {
        return KernelSymbols.shared().address(name).orElse(-1);
    }

    /** The symbol at {@code addr} in process {@code pid} (negative: the kernel), or "[unknown]" (bcc's {@code sym}). */
    public static String sym(long addr, int pid) {
        return sym(addr, pid, false, false);
    }

    public static String sym(long addr, int pid, boolean showModule, boolean showOffset) {
        if (pid < 0) return ksym(addr, showModule, showOffset);
        return format(UserSymbols.of(pid).resolve(addr), showModule, showOffset);
    }

    private static String format(ResolvedAddress r, boolean showModule, boolean showOffset) {
        String name = r.isKnown() ? r.symbol() : "[unknown]";
        if (showOffset && r.isKnown()) name += "+0x" + Long.toHexString(r.offset());
        if (showModule && r.module() != null) name += " [" + r.module() + "]";
        return name;
    }

    // ---------------------------------------------------------------------------------------------
    // closing

    private void checkOpen() {
        if (closed) throw new IllegalStateException("this BPF is closed");
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Detaches everything (probes, XDP, qdiscs added through {@link #ipRoute()}), stops the
     * readers, closes the programs and tables. Idempotent; the first failure is thrown after
     * everything else was still released.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        List<AutoCloseable> order = new ArrayList<>();
        // Reverse order of closeAll: what is listed last closes first.
        order.add(tables);
        order.addAll(pinnedMaps);
        for (BpfFunction f : functions.values()) order.add(f.program());
        order.addAll(ipRoutes);
        order.addAll(xdpLinks.values());
        for (List<Link> l : links.values()) order.addAll(l);
        order.addAll(perfReaders);
        if (ringPoller != null) order.add(ringPoller);
        if (tracePipe != null) order.add(tracePipe);
        links.clear();
        xdpLinks.clear();
        functions.clear();
        ipRoutes.clear();
        perfReaders.clear();
        tableViews.clear();
        closeAll(order);
    }

    @Override
    public String toString() {
        return "BPF[" + program.sourceName() + ", functions " + program.functions().stream().map(BccFunction::name).toList()
                + ", tables " + program.tables().keySet() + (closed ? ", closed" : "") + "]";
    }
}
