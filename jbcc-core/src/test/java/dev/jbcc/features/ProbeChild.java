package dev.jbcc.features;

import dev.jbcc.spec.MapType;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.Privileges;
import dev.jbcc.internal.sys.Seccomp;

/**
 * Run by {@link FeaturesTest} as a child JVM, so that what it does to its main thread (a seccomp
 * filter, dropped capabilities) and what {@link Features} caches stay out of the test JVM. Probes
 * an ARRAY map on the main thread and prints the answer, or the exception, on one line.
 *
 * <p>{@code seccomp}: bpf(BPF_MAP_CREATE) fails with EPERM though the thread keeps every capability.
 * {@code drop-caps}: the thread drops CAP_BPF and CAP_SYS_ADMIN from its effective set.
 */
public final class ProbeChild {
    private static final int BPF_MAP_CREATE = 0;

    public static void main(String[] args) {
        switch (args[0]) {
            case "seccomp" -> Seccomp.refuseBpfCommand(BPF_MAP_CREATE);
            case "drop-caps" -> {
                long[] sets = Privileges.current();
                long drop = Privileges.mask(Privileges.Capability.BPF) | Privileges.mask(Privileges.Capability.SYS_ADMIN);
                int rc = Privileges.capset(sets[0] & ~drop, sets[1], sets[2]);
                if (rc != 0) throw new IllegalStateException("capset: errno " + -rc);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        try {
            Features.Answer answer = Features.mapType(MapType.ARRAY);
            System.out.println("answer available=" + answer.available() + " errno=" + answer.errno() + " reason=" + answer.reason());
        } catch (SyscallException e) {
            System.out.println("threw " + e.getClass().getSimpleName() + " errno=" + e.errno() + ": " + e.getMessage());
        }
    }
}
