package dev.jbcc;

import dev.jbcc.asm.Instructions;
import dev.jbcc.asm.Reference;
import dev.jbcc.errors.BpfException;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.errors.VerifierException;
import dev.jbcc.features.Features;
import dev.jbcc.features.KernelVersion;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.BpfFs;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.internal.sys.Privileges;
import dev.jbcc.internal.sys.ProgLoadAttr;
import dev.jbcc.internal.sys.TestRunAttr;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.FuncInfo;
import dev.jbcc.spec.LineInfo;
import dev.jbcc.spec.ProgramSpec;

import dev.jbcc.spec.ProgramType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * A program loaded into the kernel. It owns its fd: {@link #close()} unloads it unless something
 * else (a link, a pin, a prog array) still holds it.
 *
 * <p>{@link #load(ProgramSpec)} loads a spec whose instructions are complete; programs read from an
 * ELF object, whose maps and externs must be resolved first, are loaded through {@link Collection}.
 */
public final class Program implements AutoCloseable {
    static {
        // jbcc-core's other packages reach the fd through Handles.of(this) (Fd is not exported).
        Handles.register(Program.class, o -> o.fd);
    }

    private static final int LOG_SIZE_START = 256 * 1024;
    private static final int LOG_SIZE_MAX = 64 << 20;
    private static final int FUNC_INFO_SIZE = 8;
    private static final int LINE_INFO_SIZE = 16;

    private final Fd fd;
    private final String name;
    private final ProgramType type;
    private final AttachType attachType;
    private final String attachTarget;
    private final String sectionName;
    private final int id;
    private final String verifierLog;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Path pinnedAt;

    private Program(Fd fd, String name, ProgramType type, AttachType attachType, String attachTarget,
                    String sectionName, String verifierLog) {
        this.verifierLog = verifierLog;
        this.fd = fd;
        this.sectionName = sectionName;
        this.name = name;
        this.type = type;
        this.attachType = attachType;
        this.attachTarget = attachTarget;
        this.id = Bpf.progInfo(fd).id();
    }

    /**
     * Loads a program whose instructions need nothing resolved (no map, data or extern references
     * left open). On rejection the exception carries the verifier's reason and the C line.
     *
     * @throws VerifierException          if the verifier rejects the program
     * @throws UnsupportedFeatureException if the kernel lacks the program type
     */
    public static Program load(ProgramSpec spec) {
        return load(spec, LoadContext.NONE);
    }

    /**
     * What a collection adds to a program load: the object BTF for func/line info, CO-RE notes,
     * the verifier log level to load with (0: a log only to explain a rejection).
     */
    record LoadContext(Fd btf, Map<String, Integer> btfStrings, UnaryOperator<String> explainPoison, int logLevel) {
        static final LoadContext NONE = new LoadContext(null, Map.of(), log -> null, 0);
    }

    static Program load(ProgramSpec spec, LoadContext context) {
        Instructions insns = spec.instructions();
        for (int i = 0; i < insns.size(); i++) {
            Reference r = insns.reference(i);
            if (r != null && !(r instanceof Reference.FunctionReference)) {
                throw new IllegalArgumentException("program " + spec.name() + " instruction " + i + " refers to "
                        + r + ", which must be resolved first: load it through Collection.load");
            }
        }
        AttachTarget target = AttachTarget.resolve(spec);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment code = arena.allocate(insns.byteSize(), 8);
            insns.encode(code, ByteOrder.nativeOrder());
            var attr = new ProgLoadAttr(arena)
                    .progType(spec.type().value())
                    .insns(code)
                    .license(arena.allocateFrom(spec.license()))
                    .progName(KernelNames.of(spec.name()))
                    .progFlags(spec.flags())
                    .kernVersion(spec.kernelVersion() != 0 ? spec.kernelVersion() : KernelVersion.current().code());
            if (spec.attachType() != null) attr.expectedAttachType(spec.attachType().value());
            if (target != null) {
                attr.attachBtfId(target.btfId());
            }
            if (context.btf() != null) {
                attr.progBtfFd(context.btf());
                if (!spec.funcInfos().isEmpty()) attr.funcInfo(funcInfo(arena, spec.funcInfos()), FUNC_INFO_SIZE);
                if (!spec.lineInfos().isEmpty()) {
                    attr.lineInfo(lineInfo(arena, spec.lineInfos(), context.btfStrings()), LINE_INFO_SIZE);
                }
            }
            MemorySegment logBuffer = null;
            int raw;
            int size = LOG_SIZE_START;
            while (true) {
                if (context.logLevel() > 0) {
                    logBuffer = arena.allocate(size);
                    attr.log(logBuffer, context.logLevel());
                }
                raw = Bpf.progLoadErrno(attr);
                // A log asked for on success must fit too: the kernel fails the load with ENOSPC when it does not.
                if (raw != -Errno.ENOSPC || logBuffer == null || size >= LOG_SIZE_MAX) break;
                int needed = attr.logTrueSize();
                size = needed > size ? needed + 1 : Math.min(size * 4, LOG_SIZE_MAX);
            }
            if (raw < 0) {
                throw rejection(spec, attr, arena, -raw, context);
            }
            Fd fd = Fd.adopt(raw);
            try {
                return new Program(fd, spec.name(), spec.type(), spec.attachType(), spec.attachTarget(),
                        spec.sectionName(), logBuffer == null ? "" : logBuffer.getString(0));
            } catch (RuntimeException e) {
                fd.close();
                throw e;
            }
        }
    }

    private static MemorySegment funcInfo(Arena arena, List<FuncInfo> infos) {
        MemorySegment seg = arena.allocate((long) infos.size() * FUNC_INFO_SIZE, 4);
        for (int i = 0; i < infos.size(); i++) {
            seg.set(ValueLayout.JAVA_INT, i * 8L, infos.get(i).instructionOffset());
            seg.set(ValueLayout.JAVA_INT, i * 8L + 4, infos.get(i).typeId());
        }
        return seg;
    }

    private static MemorySegment lineInfo(Arena arena, List<LineInfo> infos, Map<String, Integer> strings) {
        MemorySegment seg = arena.allocate((long) infos.size() * LINE_INFO_SIZE, 4);
        for (int i = 0; i < infos.size(); i++) {
            LineInfo li = infos.get(i);
            long at = i * (long) LINE_INFO_SIZE;
            seg.set(ValueLayout.JAVA_INT, at, li.instructionOffset());
            seg.set(ValueLayout.JAVA_INT, at + 4, strings.getOrDefault(li.fileName(), 0));
            seg.set(ValueLayout.JAVA_INT, at + 8, strings.getOrDefault(li.source(), 0));
            seg.set(ValueLayout.JAVA_INT, at + 12, li.lineColumn());
        }
        return seg;
    }

    /**
     * Reloads with the verifier log on (a log costs verifier time, so the first attempt has none)
     * and turns the failure into one exception that says why.
     */
    private static BpfException rejection(ProgramSpec spec, ProgLoadAttr attr, Arena arena, int errno,
                                          LoadContext context) {
        String what = spec.type() + " program '" + spec.name() + "'";
        if (errno == Errno.EPERM && !Privileges.refusalIsPrivilege() && (spec.type() == ProgramType.TRACING
                || spec.type() == ProgramType.LSM || spec.type() == ProgramType.EXT)) {
            return new SyscallException("BPF_PROG_LOAD", errno, "the kernel refused to load " + what
                    + "; kernels in lockdown or with BPF trampolines disabled refuse fentry/fexit/LSM programs:"
                    + " use a tracepoint or raw tracepoint instead, or a kernel that allows them");
        }
        if (errno == Errno.EPERM) {
            return new SyscallException("BPF_PROG_LOAD", errno, "loading " + what + " was refused: "
                    + Privileges.explainRefusal());
        }
        if ((errno == Errno.EINVAL || errno == Errno.E2BIG) && !Features.haveProgramType(spec.type())) {
            return new UnsupportedFeatureException("BPF_PROG_TYPE_" + spec.type(), spec.type().minimumKernel(), null);
        }
        String log = "";
        int size = LOG_SIZE_START;
        while (true) {
            MemorySegment buffer = arena.allocate(size);
            attr.log(buffer, 1);
            int raw = Bpf.progLoadErrno(attr);
            if (raw >= 0) {
                // Loaded on the second attempt (a transient failure): don't leak it, report the first.
                Fd.adopt(raw).close();
                return new SyscallException("BPF_PROG_LOAD", errno, "loading " + what + " failed once and then succeeded");
            }
            log = buffer.getString(0);
            if (-raw != Errno.ENOSPC || size >= LOG_SIZE_MAX) {
                errno = -raw;
                break;
            }
            int needed = attr.logTrueSize();
            size = needed > size ? needed + 1 : Math.min(size * 4, LOG_SIZE_MAX);
        }
        if (log.isBlank()) {
            return new SyscallException("BPF_PROG_LOAD", errno, "loading " + what + " failed without a verifier log");
        }
        VerifierLog summary = VerifierLog.summarize(log);
        if (summary.sourceLocation().isEmpty() && summary.instructionIndex() >= 0) {
            // Kernels before 6.2 print "; source" without "@ file:line"; line_info has both.
            LineInfo line = null;
            for (LineInfo li : spec.lineInfos()) {
                if (li.instructionOffset() <= summary.instructionIndex()
                        && (line == null || li.instructionOffset() >= line.instructionOffset())) line = li;
            }
            if (line != null) {
                summary = new VerifierLog(summary.reason(), summary.instruction(), summary.instructionIndex(),
                        line.source().strip(), fileName(line.fileName()) + ":" + line.line());
            }
        }
        var message = new StringBuilder("the verifier rejected ").append(what).append(": ").append(summary.describe());
        String poison = context.explainPoison().apply(log);
        if (poison != null) message.append("\n    ").append(poison);
        return new VerifierException(message.toString(), log, errno);
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Opens the program pinned at {@code path}. */
    public static Program openPinned(Path path) {
        Fd fd = Bpf.objGet(path.toString(), 0);
        try {
            var info = Bpf.progInfo(fd);
            Program p = new Program(fd, info.name(), ProgramType.of(info.type()), null, null, null, "");
            p.pinnedAt = path;
            return p;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * The verifier's log of this load, when it was loaded with a log level
     * ({@link CollectionOptions#withLogLevel}); else "".
     */
    public String verifierLog() {
        return verifierLog;
    }

    public String name() {
        return name;
    }

    public ProgramType type() {
        return type;
    }

    /** The expected attach type it was loaded with, or null. */
    public AttachType attachType() {
        return attachType;
    }

    /** What its section named as the hook (function, tracepoint, …), or null. */
    public String attachTarget() {
        return attachTarget;
    }

    /** The ELF section it came from (e.g. {@code kprobe/do_unlinkat}), or null when unknown; auto-attach reads it. */
    public String sectionName() {
        return sectionName;
    }

    /** The kernel's id for this program (as bpftool lists it). */
    public int id() {
        return id;
    }

    /** The raw fd, valid until {@link #close()}. */
    public int fd() {
        return fd.raw();
    }

    public void pin(Path path) {
        Bpf.objPin(fd, path.toString());
        pinnedAt = path;
    }

    /** Removes the pin this program was pinned at or opened from. */
    public void unpin() {
        Path p = pinnedAt;
        if (p == null) return;
        BpfFs.unpin(p);
        pinnedAt = null;
    }

    /**
     * Runs the program once or more on the given input with {@code BPF_PROG_TEST_RUN} (packet
     * programs take {@code data}, tracing and syscall programs a {@code context}).
     */
    public TestRun.Result testRun(TestRun run) {
        try (Arena arena = Arena.ofConfined()) {
            var attr = new TestRunAttr(arena).progFd(fd).repeat(run.repeat()).flags(run.flags()).cpu(run.cpu());
            if (run.data() != null) attr.dataIn(arena.allocateFrom(ValueLayout.JAVA_BYTE, run.data()));
            MemorySegment dataOut = null, ctxOut = null;
            if (run.dataOutSize() > 0) attr.dataOut(dataOut = arena.allocate(run.dataOutSize()));
            if (run.context() != null) attr.ctxIn(arena.allocateFrom(ValueLayout.JAVA_BYTE, run.context()));
            if (run.contextOutSize() > 0) attr.ctxOut(ctxOut = arena.allocate(run.contextOutSize()));
            try {
                Bpf.progTestRun(attr);
            } catch (SyscallException e) {
                if (e.errno() == Errno.ENOTSUPP || e.errno() == Errno.EOPNOTSUPP) {
                    throw new UnsupportedFeatureException("BPF_PROG_TEST_RUN for " + type + " programs", null,
                            "the kernel cannot test-run this program type; attach it to a real hook instead");
                }
                throw e;
            }
            byte[] out = dataOut == null ? new byte[0]
                    : dataOut.asSlice(0, Math.min(attr.dataSizeOut(), run.dataOutSize())).toArray(ValueLayout.JAVA_BYTE);
            byte[] ctx = ctxOut == null ? new byte[0]
                    : ctxOut.asSlice(0, Math.min(attr.ctxSizeOut(), run.contextOutSize())).toArray(ValueLayout.JAVA_BYTE);
            return new TestRun.Result(attr.retval(), out, ctx, Duration.ofNanos(Integer.toUnsignedLong(attr.duration())));
        }
    }

    /** Unloads the program unless a link, pin or prog array still holds it. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) fd.close();
    }

    @Override
    public String toString() {
        return "Program[" + type + " " + name + ", id " + id + (closed.get() ? ", closed" : "") + "]";
    }
}
