package dev.jbcc.btf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * Test-only: hands a BTF blob to the running kernel with {@code BPF_BTF_LOAD}, the check that
 * matters for marshalled and sanitised BTF. (The library's syscall layer lives in another package
 * that this one does not depend on.)
 */
final class KernelBtfLoad {
    private static final long SYS_BPF = 321; // x86-64
    private static final int BPF_BTF_LOAD = 18;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private KernelBtfLoad() {}

    /** Loads {@code blob}, closes the fd again; throws with the kernel's verifier log if rejected. */
    static void loadAndClose(byte[] blob) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_BYTE, blob);
            int logSize = 1 << 20;
            MemorySegment log = arena.allocate(logSize);
            // union bpf_attr, BTF_LOAD part: btf, btf_log_buf (u64), btf_size, btf_log_size, btf_log_level (u32).
            MemorySegment attr = arena.allocate(64, 8);
            attr.set(ValueLayout.JAVA_LONG, 0, data.address());
            attr.set(ValueLayout.JAVA_LONG, 8, log.address());
            attr.set(ValueLayout.JAVA_INT, 16, blob.length);
            attr.set(ValueLayout.JAVA_INT, 20, logSize);
            attr.set(ValueLayout.JAVA_INT, 24, 1);
            MemorySegment errno = arena.allocate(CAPTURE);
            long fd = (long) SYSCALL.invokeExact(errno, SYS_BPF, BPF_BTF_LOAD, attr, 64);
            if (fd < 0) {
                int e = (int) ERRNO.get(errno, 0L);
                throw new AssertionError("BPF_BTF_LOAD failed with errno " + e + ":\n"
                        + log.getString(0, StandardCharsets.UTF_8));
            }
            int rc = (int) CLOSE.invokeExact((int) fd);
            if (rc != 0) {
                throw new AssertionError("close(" + fd + ") failed");
            }
        }
    }
}
