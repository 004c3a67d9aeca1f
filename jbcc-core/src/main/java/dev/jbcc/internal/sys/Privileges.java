package dev.jbcc.internal.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Why the kernel said EPERM: the calling thread's effective capabilities ({@code capget(2)}), its
 * user namespace, and the kernel's lockdown mode. A refusal is blamed on a missing capability only
 * when the thread really lacks one; a thread with every capability it needs was refused by the
 * kernel's policy (lockdown, an LSM, seccomp) or its build, and the message says so instead.
 *
 * <p>Capabilities are per thread in Linux, so every answer is about the thread that asks.
 */
public final class Privileges {
    private Privileges() {}

    /**
     * The capabilities bpf(2) and perf_event_open(2) check, and those that open files a process's
     * uid may not (tracefs is 0700 root) ({@code include/uapi/linux/capability.h}).
     */
    public enum Capability {
        DAC_OVERRIDE(1), DAC_READ_SEARCH(2), NET_ADMIN(12), SYS_ADMIN(21), SYS_RESOURCE(24), PERFMON(38), BPF(39);

        final int bit;

        Capability(int bit) {
            this.bit = bit;
        }

        @Override
        public String toString() {
            return "CAP_" + name();
        }
    }

    static final long SYS_CAPGET = 125, SYS_CAPSET = 126;
    /** _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set. */
    private static final int VERSION_3 = 0x20080522;
    /** The inode of the initial user namespace (PROC_USER_INIT_INO, include/linux/proc_ns.h). */
    private static final String INITIAL_USER_NS = "user:[4026531837]";
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;

    /** The calling thread's effective capability set. */
    public static Set<Capability> effective() {
        long bits = capget()[0];
        Set<Capability> set = EnumSet.noneOf(Capability.class);
        for (Capability c : Capability.values()) if ((bits & (1L << c.bit)) != 0) set.add(c);
        return set;
    }

    /** {effective, permitted, inheritable} of the calling thread, each as a 64-bit mask. */
    static long[] capget() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(8, 4);
            header.set(U32, 0, VERSION_3);
            header.set(U32, 4, 0); // 0: the calling thread
            MemorySegment data = arena.allocate(24, 4); // struct __user_cap_data_struct[2]
            long rc = Libc.syscall(SYS_CAPGET, Libc.address(header), Libc.address(data), 0, 0, 0, 0);
            Reference.reachabilityFence(header);
            Reference.reachabilityFence(data);
            if (rc < 0) return new long[] {-1L, -1L, 0}; // cannot tell: assume nothing is missing
            return new long[] {word(data, 0), word(data, 4), word(data, 8)};
        }
    }

    private static long word(MemorySegment data, int field) {
        return (data.get(U32, field) & 0xFFFFFFFFL) | ((data.get(U32, 12 + field) & 0xFFFFFFFFL) << 32);
    }

    /**
     * Sets the calling thread's capability sets ({@code capset(2)}): for tests that drop a
     * capability on one thread. Returns 0 or -errno.
     */
    public static int capset(long effective, long permitted, long inheritable) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(8, 4);
            header.set(U32, 0, VERSION_3);
            MemorySegment data = arena.allocate(24, 4);
            long[] sets = {effective, permitted, inheritable};
            for (int i = 0; i < 3; i++) {
                data.set(U32, 4L * i, (int) sets[i]);
                data.set(U32, 12 + 4L * i, (int) (sets[i] >>> 32));
            }
            long rc = Libc.syscall(SYS_CAPSET, Libc.address(header), Libc.address(data), 0, 0, 0, 0);
            Reference.reachabilityFence(header);
            Reference.reachabilityFence(data);
            return (int) rc;
        }
    }

    /** The calling thread's {effective, permitted, inheritable} masks, for {@link #capset}. */
    public static long[] current() {
        return capget();
    }

    /** The bit of {@code c} in a capability mask. */
    public static long mask(Capability c) {
        return 1L << c.bit;
    }

    /**
     * What the calling thread lacks for bpf(2): CAP_BPF (or CAP_SYS_ADMIN, which covered it before
     * Linux 5.8) and, for tracing and networking programs, CAP_PERFMON and CAP_NET_ADMIN (each
     * also covered by CAP_SYS_ADMIN). Empty when the thread has what bpf(2) can ask for.
     */
    public static Set<Capability> missingForBpf() {
        Set<Capability> have = effective();
        Set<Capability> missing = EnumSet.noneOf(Capability.class);
        if (have.contains(Capability.SYS_ADMIN)) return missing;
        for (Capability c : EnumSet.of(Capability.BPF, Capability.PERFMON, Capability.NET_ADMIN))
            if (!have.contains(c)) missing.add(c);
        return missing;
    }

    /** Whether the calling thread lacks CAP_BPF and CAP_SYS_ADMIN alike, so that no bpf(2) object can be made. */
    public static boolean lacksBpf() {
        Set<Capability> have = effective();
        return !have.contains(Capability.BPF) && !have.contains(Capability.SYS_ADMIN);
    }

    /** Whether this process is in the initial user namespace, where capabilities count for bpf(2). */
    public static boolean inInitialUserNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString().equals(INITIAL_USER_NS);
        } catch (IOException | UnsupportedOperationException e) {
            return true; // cannot tell: do not blame the namespace
        }
    }

    private static final Pattern LOCKDOWN = Pattern.compile("\\[(\\w+)]");

    /** The kernel's lockdown mode ("none", "integrity", "confidentiality"), or null if unknown. */
    public static String lockdown() {
        try {
            Matcher m = LOCKDOWN.matcher(Files.readString(Path.of("/sys/kernel/security/lockdown")));
            return m.find() ? m.group(1) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Whether an EPERM from bpf(2) is the process's own lack of privilege (so that running with more
     * would change the answer): a missing CAP_BPF, or capabilities held only in a user namespace.
     */
    public static boolean refusalIsPrivilege() {
        return lacksBpf() || !inInitialUserNamespace();
    }

    /**
     * One sentence on why the kernel answered EPERM to this thread: the capabilities it lacks (named),
     * a user namespace whose capabilities do not count, or, when it has every capability, the
     * kernel's lockdown mode or policy.
     */
    public static String explainRefusal() {
        if (!inInitialUserNamespace())
            return "this process runs in a user namespace, whose capabilities do not grant bpf(2):"
                    + " run it as root in the host's initial user namespace";
        Set<Capability> missing = missingForBpf();
        if (!missing.isEmpty()) {
            String names = missing.stream().map(Capability::toString).collect(Collectors.joining(", "));
            return "this process lacks " + names + " (CAP_BPF for any BPF object, CAP_PERFMON for tracing,"
                    + " CAP_NET_ADMIN for networking): run as root, or grant " + names;
        }
        return "this process has CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN, so the kernel's policy refused it: "
                + policy();
    }

    /** The kernel-side reason a fully privileged thread may be refused, as far as it can be seen. */
    public static String policy() {
        String mode = lockdown();
        if (mode != null && !mode.equals("none"))
            return "the kernel is in lockdown mode '" + mode + "' (/sys/kernel/security/lockdown)";
        return "an LSM or seccomp policy, or this kernel's build, forbids it";
    }
}
