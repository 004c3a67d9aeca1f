package dev.jbcc.features;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfSanitizer;
import dev.jbcc.btf.BtfType;
import dev.jbcc.compile.KernelHeaders;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.FileAccessException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.BtfLoadAttr;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.internal.sys.LinkCreateAttr;
import dev.jbcc.internal.sys.MapCreateAttr;
import dev.jbcc.internal.sys.Privileges;
import dev.jbcc.internal.sys.ProgLoadAttr;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.BpfFlags;
import dev.jbcc.spec.MapType;
import dev.jbcc.spec.ProgramType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Asks the running kernel what it supports by trying the smallest thing that needs it: a
 * one-entry map of a type, an {@code r0 = 0; exit} program of a type, a program calling a
 * helper. Answers are cached for the life of the process once conclusive. A refusal (EPERM) is
 * conclusive when the process has every capability bpf(2) checks: the feature is not available
 * here, and {@link #mapType}/{@link #programType} say why (lockdown, a policy, the kernel's build).
 * A refusal for want of privilege (a missing CAP_BPF, capabilities held only in a user namespace)
 * is inconclusive: it throws {@link SyscallException} naming what is missing, and is tried again
 * next time. Thread-safe.
 */
public final class Features {
    private Features() {}

    /**
     * A probe's conclusive answer.
     *
     * @param available whether the running kernel lets this process use the feature
     * @param errno     the errno of the refusal, 0 when available or when the kernel simply lacks it
     * @param reason    why it is not available, or null
     */
    public record Answer(boolean available, int errno, String reason) {
        static final Answer YES = new Answer(true, 0, null), NO = new Answer(false, 0, null);

        static Answer of(boolean available) {
            return available ? YES : NO;
        }
    }

    private static final Map<String, Answer> CACHE = new ConcurrentHashMap<>();
    private static final ValueLayout.OfLong INSN = ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder());

    private static boolean cached(String key, BooleanSupplier probe) {
        return answer(key, () -> Answer.of(probe.getAsBoolean())).available();
    }

    private static Answer answer(String key, Supplier<Answer> probe) {
        Answer known = CACHE.get(key);
        if (known != null) return known;
        Answer result = probe.get(); // throws when inconclusive, so nothing is cached
        CACHE.putIfAbsent(key, result);
        return result;
    }

    // ---- map types ----

    /** Whether this kernel can create maps of {@code type}. */
    public static boolean haveMapType(MapType type) {
        return mapType(type).available();
    }

    /** Whether this kernel lets this process create maps of {@code type}, and if not, why. */
    public static Answer mapType(MapType type) {
        if (type == MapType.UNSPEC) return Answer.NO;
        return answer("map:" + type, () -> probeMapType(type));
    }

    /** @throws UnsupportedFeatureException naming the type and the first kernel that has it, or why it is refused */
    public static void requireMapType(MapType type) {
        Answer answer = mapType(type);
        if (!answer.available())
            throw new UnsupportedFeatureException("BPF_MAP_TYPE_" + type, type.minimumKernel(), answer.reason());
    }

    private static Answer probeMapType(MapType type) {
        try (Arena arena = Arena.ofConfined()) {
            var attr = new MapCreateAttr(arena).mapType(type.value()).keySize(4).valueSize(4).maxEntries(1);
            Fd inner = null, btf = null;
            try {
                switch (type) {
                    case LPM_TRIE -> attr.keySize(8).mapFlags(BpfFlags.BPF_F_NO_PREALLOC);
                    case QUEUE, STACK, BLOOM_FILTER -> attr.keySize(0);
                    case RINGBUF, USER_RINGBUF -> attr.keySize(0).valueSize(0).maxEntries((int) Libc.pageSize());
                    case STACK_TRACE -> attr.valueSize(8);
                    case CGROUP_STORAGE, PERCPU_CGROUP_STORAGE -> attr.keySize(16).valueSize(8).maxEntries(0);
                    case ARENA -> attr.keySize(0).valueSize(0).mapFlags(BpfFlags.BPF_F_MMAPABLE);
                    // No real kernel struct id without parsing vmlinux BTF: an impossible one
                    // makes a kernel that knows the type answer ENOTSUPP instead of EINVAL.
                    case STRUCT_OPS -> attr.btfVmlinuxValueTypeId(Integer.MAX_VALUE);
                    case ARRAY_OF_MAPS, HASH_OF_MAPS -> {
                        inner = Bpf.mapCreate(new MapCreateAttr(arena).mapType(MapType.ARRAY.value()).keySize(4)
                                .valueSize(4).maxEntries(1));
                        attr.innerMapFd(inner);
                    }
                    case SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE -> {
                        // Local storage maps insist on BTF for key and value: one "int" type.
                        btf = loadIntBtf(arena);
                        attr.maxEntries(0).mapFlags(BpfFlags.BPF_F_NO_PREALLOC).btf(btf, 1, 1);
                    }
                    default -> { }
                }
                try (Fd map = Bpf.mapCreate(attr)) {
                    return Answer.of(!map.isClosed());
                } catch (SyscallException e) {
                    if (type == MapType.STRUCT_OPS && e.errno() == Errno.ENOTSUPP) return Answer.YES;
                    return refusal(e);
                }
            } finally {
                if (inner != null) inner.close();
                if (btf != null) btf.close();
            }
        }
    }

    /** EINVAL/E2BIG/ENOTSUPP/EOPNOTSUPP mean "no"; anything else is inconclusive and rethrown. */
    private static boolean unsupported(SyscallException e) {
        return refusal(e).available();
    }

    /**
     * The answer a failed probe gives: EINVAL/E2BIG/ENOTSUPP/EOPNOTSUPP mean the kernel lacks it;
     * EPERM to a process with every capability means the kernel's policy or build refuses it here
     * (conclusive, with the reason); EPERM for want of privilege and anything else are inconclusive
     * and rethrown (the exception names the missing capability).
     */
    private static Answer refusal(SyscallException e) {
        return refusal(e.errno(), () -> e);
    }

    private static Answer refusal(int errno, Supplier<SyscallException> inconclusive) {
        return switch (errno) {
            case Errno.EINVAL, Errno.E2BIG, Errno.ENOTSUPP, Errno.EOPNOTSUPP -> Answer.NO;
            case Errno.EPERM -> {
                if (Privileges.refusalIsPrivilege()) throw inconclusive.get();
                yield new Answer(false, errno, "the kernel refused it (EPERM) although this process has CAP_BPF,"
                        + " CAP_PERFMON and CAP_NET_ADMIN: " + Privileges.policy());
            }
            default -> throw inconclusive.get();
        };
    }

    /** A BTF blob holding one type, {@code int} (id 1). */
    private static Fd loadIntBtf(Arena arena) {
        return loadBtf(arena, new BtfType.Int("int", 4, BtfType.IntEncoding.SIGNED, 0, 32));
    }

    private static Fd loadBtf(Arena arena, BtfType... types) {
        byte[] blob = Btf.of(List.of(types)).marshal();
        return Bpf.btfLoad(new BtfLoadAttr(arena).btf(arena.allocateFrom(ValueLayout.JAVA_BYTE, blob)));
    }

    // ---- BTF kinds ----

    /**
     * Which BTF kinds the kernel's BTF loader accepts, each probed with a tiny blob that needs
     * it; the loader sanitises object BTF with the answer before BPF_BTF_LOAD.
     */
    public static BtfSanitizer.Features btfFeatures() {
        var i32 = new BtfType.Int("int", 4, BtfType.IntEncoding.SIGNED, 0, 32);
        var var = new BtfType.Var("x", 1, BtfType.Linkage.GLOBAL);
        return new BtfSanitizer.Features(
                btfAccepts("datasec", i32, var, new BtfType.DataSec(".data", 4, List.of(new BtfType.VarSecInfo(2, 0, 4)))),
                btfAccepts("qmark-datasec", i32, var, new BtfType.DataSec("?.data", 4, List.of(new BtfType.VarSecInfo(2, 0, 4)))),
                btfAccepts("func", i32, new BtfType.FuncProto(1, List.of(), false), new BtfType.Func("f", 2, BtfType.Linkage.STATIC)),
                btfAccepts("func-global", i32, new BtfType.FuncProto(1, List.of(), false), new BtfType.Func("f", 2, BtfType.Linkage.GLOBAL)),
                btfAccepts("float", new BtfType.Float("float", 4)),
                btfAccepts("decl-tag", i32, var, new BtfType.DeclTag("tag", 2, -1, false)),
                btfAccepts("type-tag", i32, new BtfType.TypeTag("tag", 1, false), new BtfType.Ptr(2)),
                btfAccepts("enum64", new BtfType.Enum64("e", 8, false, List.of(new BtfType.EnumValue("E", 1L << 40)))));
    }

    private static boolean btfAccepts(String feature, BtfType... types) {
        return cached("btf:" + feature, () -> {
            try (Arena arena = Arena.ofConfined(); Fd fd = loadBtf(arena, types)) {
                return true;
            } catch (SyscallException e) {
                return unsupported(e);
            }
        });
    }

    // ---- program types and helpers ----

    /** Whether this kernel can load programs of {@code type}. */
    public static boolean haveProgramType(ProgramType type) {
        return programType(type).available();
    }

    /** Whether this kernel lets this process load programs of {@code type}, and if not, why. */
    public static Answer programType(ProgramType type) {
        if (type == ProgramType.UNSPEC) return Answer.NO;
        return answer("prog:" + type, () -> probeProgramType(type));
    }

    /** @throws UnsupportedFeatureException naming the type and the first kernel that has it, or why it is refused */
    public static void requireProgramType(ProgramType type) {
        Answer answer = programType(type);
        if (!answer.available())
            throw new UnsupportedFeatureException("BPF_PROG_TYPE_" + type, type.minimumKernel(), answer.reason());
    }

    private static final long MOV_R0_0 = 0xb7L, EXIT = 0x95L, CALL = 0x85L;

    private static Answer probeProgramType(ProgramType type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment log = arena.allocate(4096);
            var attr = probeProgram(arena, type, new long[] {MOV_R0_0, EXIT}, log);
            int rc = Bpf.progLoadErrno(attr);
            if (rc >= 0) {
                Fd.adopt(rc).close();
                return Answer.YES;
            }
            int errno = -rc;
            if (needsAttachTarget(type)) {
                // These types need an attach target's BTF id, which the probe cannot give
                // without parsing vmlinux BTF. A kernel that knows the type gets as far as
                // the verifier (which logs why) or answers ENOTSUPP; for an unknown type
                // bpf(2) fails with EINVAL before anything is logged.
                if (errno == Errno.ENOTSUPP || !log.getString(0).isEmpty()) return Answer.YES;
            }
            return refusal(errno, () -> errno == Errno.EPERM
                    ? new SyscallException("BPF_PROG_LOAD", errno, "probing program type " + type + ": " + Privileges.explainRefusal())
                    : new SyscallException("BPF_PROG_LOAD", errno, "probing program type " + type + " was inconclusive"));
        }
    }

    private static boolean needsAttachTarget(ProgramType type) {
        return type == ProgramType.TRACING || type == ProgramType.EXT || type == ProgramType.LSM
                || type == ProgramType.STRUCT_OPS;
    }

    private static ProgLoadAttr probeProgram(Arena arena, ProgramType type, long[] code, MemorySegment log) {
        MemorySegment insns = arena.allocate(8L * code.length, 8);
        for (int i = 0; i < code.length; i++) insns.setAtIndex(INSN, i, code[i]);
        var attr = new ProgLoadAttr(arena).progType(type.value()).insns(insns).license(arena.allocateFrom("GPL"));
        if (log != null) attr.log(log, 1);
        switch (type) {
            case CGROUP_SOCK_ADDR -> attr.expectedAttachType(AttachType.CGROUP_INET4_CONNECT.value());
            case CGROUP_SOCKOPT -> attr.expectedAttachType(AttachType.CGROUP_GETSOCKOPT.value());
            case SK_LOOKUP -> attr.expectedAttachType(AttachType.SK_LOOKUP.value());
            case NETFILTER -> attr.expectedAttachType(AttachType.NETFILTER.value());
            case SYSCALL -> attr.progFlags(BpfFlags.BPF_F_SLEEPABLE);
            case KPROBE -> attr.kernVersion(KernelVersion.current().code());
            default -> { }
        }
        return attr;
    }

    /**
     * Whether programs of {@code type} may call helper {@code helperId} ({@code enum bpf_func_id}).
     * False both when the kernel lacks the helper and when it withholds it from this type.
     */
    public static boolean haveHelper(ProgramType type, int helperId) {
        if (!haveProgramType(type)) return false;
        return cached("helper:" + type + ":" + helperId, () -> probeHelper(type, helperId));
    }

    /** @throws UnsupportedFeatureException if {@link #haveHelper} is false */
    public static void requireHelper(ProgramType type, int helperId) {
        requireProgramType(type);
        if (!haveHelper(type, helperId))
            throw new UnsupportedFeatureException("BPF helper #" + helperId + " in " + type + " programs", null,
                    "this kernel lacks the helper or does not allow it for this program type");
    }

    private static boolean probeHelper(ProgramType type, int helperId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment log = arena.allocate(64 * 1024);
            long call = CALL | ((helperId & 0xFFFFFFFFL) << 32);
            var attr = probeProgram(arena, type, new long[] {call, MOV_R0_0, EXIT}, log);
            int rc = Bpf.progLoadErrno(attr);
            if (rc >= 0) {
                Fd.adopt(rc).close();
                return true;
            }
            String text = log.getString(0);
            if (text.contains("invalid func ") || text.contains("unknown func ")
                    || text.contains("program of this type cannot use helper ")) return false;
            // Any other rejection (bad arguments for the helper) means the verifier knew the helper.
            if (-rc == Errno.EACCES || -rc == Errno.EINVAL || -rc == Errno.ENOSPC) return true;
            throw new SyscallException("BPF_PROG_LOAD", -rc, "probing helper #" + helperId + " in " + type + " programs");
        }
    }

    // ---- commands ----

    /** BPF_MAP_FREEZE (5.2). */
    public static boolean haveMapFreeze() {
        return cached("freeze", () -> {
            try (Arena arena = Arena.ofConfined();
                 Fd map = Bpf.mapCreate(new MapCreateAttr(arena).mapType(MapType.ARRAY.value()).keySize(4).valueSize(4).maxEntries(1))) {
                Bpf.mapFreeze(map);
                return true;
            } catch (SyscallException e) {
                return unsupported(e);
            }
        });
    }

    /** BPF_MAP_*_BATCH (5.6). */
    public static boolean haveBatchOps() {
        return cached("batch", () -> {
            try (Arena arena = Arena.ofConfined();
                 Fd map = Bpf.mapCreate(new MapCreateAttr(arena).mapType(MapType.HASH.value()).keySize(4).valueSize(4).maxEntries(1))) {
                MemorySegment buf = arena.allocate(8);
                Bpf.mapLookupBatch(map, null, buf, buf, buf, 1, 0); // an empty map: ENOENT, i.e. done
                return true;
            } catch (SyscallException e) {
                return unsupported(e);
            }
        });
    }

    // ---- instructions ----

    /** {@code *(u64 *)(r10 - 8) = 0} and {@code r0 = *(s8 *)(r10 - 8)}: BPF_ST|BPF_MEM|BPF_DW, BPF_LDX|BPF_MEMSX|BPF_B. */
    private static final long STORE_FP_MINUS_8 = 0x7aL | (10L << 8) | ((-8L & 0xffff) << 16),
            LOAD_S8_FP_MINUS_8 = 0x91L | (10L << 12) | ((-8L & 0xffff) << 16);

    /** Sign-extending loads (BPF_MEMSX, 6.6): a kernel without them rejects the opcode. */
    public static boolean haveSignExtendingLoads() {
        return cached("insn:memsx", () -> {
            try (Arena arena = Arena.ofConfined()) {
                int rc = Bpf.progLoadErrno(probeProgram(arena, ProgramType.SOCKET_FILTER,
                        new long[] {STORE_FP_MINUS_8, LOAD_S8_FP_MINUS_8, MOV_R0_0, EXIT}, null));
                if (rc >= 0) {
                    Fd.adopt(rc).close();
                    return true;
                }
                return refusal(-rc, () -> new SyscallException("BPF_PROG_LOAD", -rc, "probing sign-extending loads"))
                        .available();
            }
        });
    }

    // ---- links ----

    /** Opens a link (or a link-like fd) for a probe program; the result is closed at once. */
    private interface Attempt {
        Fd open(Arena arena, Fd prog);
    }

    /**
     * Loads {@code r0 = 0; exit} as {@code type}, with {@code expected} as its expected attach
     * type (or none), and tries {@code attempt} with it: true when it succeeds or fails with one of
     * {@code knownErrnos} (the kernel got as far as looking at the probe's deliberately bad
     * argument). A load refused with EINVAL for an expected attach type means the kernel does not
     * know the attach type.
     */
    private static boolean attachProbe(String what, ProgramType type, AttachType expected, Attempt attempt,
                                       int... knownErrnos) {
        try (Arena arena = Arena.ofConfined()) {
            var attr = probeProgram(arena, type, new long[] {MOV_R0_0, EXIT}, null);
            if (expected != null) attr.expectedAttachType(expected.value());
            int rc = Bpf.progLoadErrno(attr);
            if (rc < 0) {
                if (expected != null && -rc == Errno.EINVAL) return false;
                throw new SyscallException("BPF_PROG_LOAD", -rc, "probing " + what);
            }
            try (Fd prog = Fd.adopt(rc); Fd link = attempt.open(arena, prog)) {
                return true;
            } catch (SyscallException e) {
                for (int errno : knownErrnos) if (e.errno() == errno) return true;
                return unsupported(e);
            }
        }
    }

    /**
     * perf_event bpf_links (BPF_LINK_CREATE with BPF_PERF_EVENT, 5.15): what lets kprobes, uprobes,
     * tracepoints and perf events be attached as pinnable links with cookies. Without them jbcc
     * attaches with PERF_EVENT_IOC_SET_BPF.
     */
    public static boolean haveBpfLinkPerfEvent() {
        // A bad perf event fd: EBADF from a kernel that got as far as looking it up, EINVAL from one without.
        return cached("link:perf_event", () -> attachProbe("perf_event links", ProgramType.KPROBE, null,
                (arena, prog) -> Bpf.linkCreate(new LinkCreateAttr(arena).progFd(prog).target(-1)
                        .attachType(AttachType.PERF_EVENT.value())), Errno.EBADF));
    }

    /** @throws UnsupportedFeatureException before Linux 5.15 */
    public static void requireBpfLinkPerfEvent() {
        Feature.BPF_LINK_PERF_EVENT.require(
                "kprobes, uprobes and tracepoints still attach through PERF_EVENT_IOC_SET_BPF, without pins or cookies");
    }

    /**
     * kprobe_multi links (BPF_TRACE_KPROBE_MULTI, 5.18, CONFIG_FPROBE): one link for many kernel
     * functions. Probed with a real one-function link on {@code bpf_fentry_test1}, closed at once.
     */
    public static boolean haveKprobeMulti() {
        // ESRCH/ENOENT: the kernel knows the link but not the function.
        return cached("link:kprobe_multi", () -> attachProbe("kprobe_multi links", ProgramType.KPROBE,
                AttachType.TRACE_KPROBE_MULTI, (arena, prog) -> {
                    MemorySegment syms = arena.allocate(ValueLayout.ADDRESS);
                    syms.set(ValueLayout.ADDRESS, 0, arena.allocateFrom("bpf_fentry_test1"));
                    return Bpf.linkCreate(new LinkCreateAttr(arena).progFd(prog)
                            .attachType(AttachType.TRACE_KPROBE_MULTI.value())
                            .kprobeMulti(0, 1, syms, MemorySegment.NULL, MemorySegment.NULL));
                }, Errno.ESRCH, Errno.ENOENT));
    }

    /** @throws UnsupportedFeatureException before Linux 5.18 or without CONFIG_FPROBE */
    public static void requireKprobeMulti() {
        Feature.KPROBE_MULTI.require("attach one kprobe per function");
    }

    /**
     * uprobe_multi links (BPF_TRACE_UPROBE_MULTI, 6.6): one link for many locations in a binary.
     * Probed on "/": a kernel that has them gets as far as finding it is no regular file (EBADF).
     */
    public static boolean haveUprobeMulti() {
        return cached("link:uprobe_multi", () -> attachProbe("uprobe_multi links", ProgramType.KPROBE,
                AttachType.TRACE_UPROBE_MULTI, (arena, prog) -> Bpf.linkCreate(new LinkCreateAttr(arena).progFd(prog)
                        .attachType(AttachType.TRACE_UPROBE_MULTI.value())
                        .uprobeMulti(arena.allocateFrom("/"), arena.allocateFrom(ValueLayout.JAVA_LONG, 0L),
                                MemorySegment.NULL, MemorySegment.NULL, 1, 0, 0)), Errno.EBADF));
    }

    /**
     * tcx links (BPF_TCX_INGRESS/EGRESS, 6.6). Probed on interface index 0: a kernel that has
     * them looks the device up and answers ENODEV; one without does not know the attach type (EINVAL).
     */
    public static boolean haveTcx() {
        return cached("link:tcx", () -> attachProbe("tcx links", ProgramType.SCHED_CLS, null,
                (arena, prog) -> Bpf.linkCreate(new LinkCreateAttr(arena).progFd(prog).target(0)
                        .attachType(AttachType.TCX_INGRESS.value())), Errno.ENODEV));
    }

    /**
     * bpf cookies on raw tracepoints (6.10). Probed with a tracepoint that does not exist: a kernel
     * that knows the cookie field looks the name up (ENOENT); an older one rejects the field (EINVAL).
     */
    public static boolean haveRawTracepointCookie() {
        return cached("raw_tp:cookie", () -> attachProbe("raw tracepoint cookies", ProgramType.RAW_TRACEPOINT, null,
                (arena, prog) -> Bpf.rawTracepointOpen("jbcc_probe_no_such_tracepoint", prog, 1), Errno.ENOENT));
    }

    /** Where the kernel exposes its kprobe and uprobe PMUs (4.17). */
    public static final Path KPROBE_PMU_DIR = Path.of("/sys/bus/event_source/devices/kprobe"),
            UPROBE_PMU_DIR = Path.of("/sys/bus/event_source/devices/uprobe");

    /** Whether a PMU exposes {@code file} (its "type", or a format field such as "format/retprobe"). */
    public static boolean havePmu(Path pmu, String file) {
        return Files.exists(pmu.resolve(file));
    }

    /** Whether the kernel has cgroup v2 (4.5): a "cgroup2" file system, mounted or not. */
    public static boolean haveCgroupV2() {
        return cached("cgroup2", () -> {
            try {
                return Files.readAllLines(Path.of("/proc/filesystems")).stream()
                        .anyMatch(line -> line.endsWith("\tcgroup2"));
            } catch (IOException e) {
                throw FileAccessException.of("read the kernel's file systems", Path.of("/proc/filesystems"), e);
            }
        });
    }

    /** Whether the kernel exposes its BTF. */
    /**
     * Whether fentry/fexit programs load here: a TRACING program for BPF_TRACE_FENTRY on a
     * function every kernel with trampolines has ({@code bpf_fentry_test1}, which exists for
     * BPF_PROG_TEST_RUN). NO without kernel BTF (nothing to attach to), before 5.5, on an
     * architecture without trampolines, or where a policy refuses the load (the reason says so).
     * Needs the kernel's BTF ({@link Btf#kernel()}), so it is a probe to make only when fentry
     * would be used.
     */
    public static Answer trampolines() {
        if (!haveKernelBtf()) return Answer.NO;
        return answer("trampolines", Features::probeTrampolines);
    }

    private static Answer probeTrampolines() {
        var target = Btf.kernel().lookupFirst("bpf_fentry_test1", BtfType.Func.class);
        if (target.isEmpty()) return Answer.NO;
        try (Arena arena = Arena.ofConfined()) {
            var attr = probeProgram(arena, ProgramType.TRACING, new long[] {MOV_R0_0, EXIT}, null)
                    .expectedAttachType(AttachType.TRACE_FENTRY.value()).attachBtfId(target.getAsInt());
            int rc = Bpf.progLoadErrno(attr);
            if (rc >= 0) {
                Fd.adopt(rc).close();
                return Answer.YES;
            }
            return refusal(-rc, () -> new SyscallException("BPF_PROG_LOAD", -rc, "probing fentry programs"));
        }
    }

    public static boolean haveKernelBtf() {
        return Files.exists(KernelHeaders.KERNEL_BTF);
    }

    /**
     * Whether the kernel can create kprobes at all (CONFIG_KPROBES with CONFIG_KPROBE_EVENTS): a
     * kprobe PMU, or tracefs {@code kprobe_events}. Not cached: tracefs may be mounted later.
     */
    public static boolean haveKprobes() {
        return havePmu(KPROBE_PMU_DIR, "type")
                || Files.exists(Path.of("/sys/kernel/tracing/kprobe_events"))
                || Files.exists(Path.of("/sys/kernel/debug/tracing/kprobe_events"));
    }
    /** @throws UnsupportedFeatureException on kernels built without CONFIG_KPROBES */
    public static void requireKprobes() {
        Feature.KPROBES.require("use a tracepoint, or fentry/fexit where the kernel allows BPF trampolines");
    }
}
