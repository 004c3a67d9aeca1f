package dev.jbcc.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;

/**
 * A seccomp filter on the calling thread that makes one bpf(2) command fail with EPERM: for tests
 * of how jbcc reads a refusal that no capability explains (as a lockdown, LSM or seccomp policy
 * gives). Only the calling thread is filtered (no SECCOMP_FILTER_FLAG_TSYNC), for the rest of its life.
 */
public final class Seccomp {
    private Seccomp() {}

    private static final long SYS_SECCOMP = 317;
    private static final int SECCOMP_SET_MODE_FILTER = 1;
    private static final int LD_W_ABS = 0x20, JEQ_K = 0x15, RET_K = 0x06;
    private static final int RET_ALLOW = 0x7fff0000, RET_ERRNO = 0x00050000, EPERM = 1;
    /** Offsets in struct seccomp_data: nr, then arch, instruction_pointer, args[6] from 16. */
    private static final int NR = 0, ARG0 = 16;

    /** Installs the filter: bpf(cmd, ...) fails with EPERM on this thread from now on. */
    public static void refuseBpfCommand(int cmd) {
        int[][] filter = {
                {LD_W_ABS, 0, 0, NR},
                {JEQ_K, 0, 3, (int) Libc.SYS_BPF},
                {LD_W_ABS, 0, 0, ARG0},
                {JEQ_K, 0, 1, cmd},
                {RET_K, 0, 0, RET_ERRNO | EPERM},
                {RET_K, 0, 0, RET_ALLOW},
        };
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(8L * filter.length, 8);
            for (int i = 0; i < filter.length; i++) {
                insns.set(ValueLayout.JAVA_SHORT, 8L * i, (short) filter[i][0]);
                insns.set(ValueLayout.JAVA_BYTE, 8L * i + 2, (byte) filter[i][1]);
                insns.set(ValueLayout.JAVA_BYTE, 8L * i + 3, (byte) filter[i][2]);
                insns.set(ValueLayout.JAVA_INT, 8L * i + 4, filter[i][3]);
            }
            MemorySegment prog = arena.allocate(16, 8); // struct sock_fprog
            prog.set(ValueLayout.JAVA_SHORT, 0, (short) filter.length);
            prog.set(ValueLayout.JAVA_LONG, 8, insns.address());
            long rc = Libc.syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, 0, Libc.address(prog), 0, 0, 0);
            Reference.reachabilityFence(insns);
            Reference.reachabilityFence(prog);
            if (rc < 0) throw new IllegalStateException("seccomp(SECCOMP_SET_MODE_FILTER) failed: errno " + -rc);
        }
    }
}
