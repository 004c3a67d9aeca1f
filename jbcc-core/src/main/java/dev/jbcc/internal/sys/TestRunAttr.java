package dev.jbcc.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.jbcc.internal.sys.BpfAttr.TestRun.*;
import static dev.jbcc.internal.sys.BpfAttr.U32;
import static dev.jbcc.internal.sys.BpfAttr.U64;

/**
 * The BPF_PROG_TEST_RUN attr. Inputs through setters; after {@link Bpf#progTestRun} the kernel
 * has written {@link #retval()}, {@link #duration()} (mean ns per run) and the sizes of what
 * it wrote into the output buffers. Buffers must be native and outlive the call. Not thread-safe.
 */
public final class TestRunAttr {
    final MemorySegment segment;

    public TestRunAttr(Arena arena) {
        segment = arena.allocate(BpfAttr.UNION_SIZE, 8);
    }

    public TestRunAttr progFd(Fd prog) { segment.set(U32, PROG_FD, prog.raw()); return this; }

    /** Packet (or other) input data; sets data_in and data_size_in. */
    public TestRunAttr dataIn(MemorySegment data) {
        segment.set(U64, DATA_IN, Mem.address(data, "data_in"));
        segment.set(U32, DATA_SIZE_IN, data == null ? 0 : Math.toIntExact(data.byteSize()));
        return this;
    }

    /** Where the kernel copies the output data; its size is the capacity (data_size_out). */
    public TestRunAttr dataOut(MemorySegment buffer) {
        segment.set(U64, DATA_OUT, Mem.address(buffer, "data_out"));
        segment.set(U32, DATA_SIZE_OUT, buffer == null ? 0 : Math.toIntExact(buffer.byteSize()));
        return this;
    }

    /** Context input (e.g. a {@code struct __sk_buff} or raw tracepoint args); sets ctx_in and ctx_size_in. */
    public TestRunAttr ctxIn(MemorySegment ctx) {
        segment.set(U64, CTX_IN, Mem.address(ctx, "ctx_in"));
        segment.set(U32, CTX_SIZE_IN, ctx == null ? 0 : Math.toIntExact(ctx.byteSize()));
        return this;
    }

    /** Where the kernel copies the context afterwards; its size is the capacity. */
    public TestRunAttr ctxOut(MemorySegment buffer) {
        segment.set(U64, CTX_OUT, Mem.address(buffer, "ctx_out"));
        segment.set(U32, CTX_SIZE_OUT, buffer == null ? 0 : Math.toIntExact(buffer.byteSize()));
        return this;
    }

    /** How many times to run (0 means 1). */
    public TestRunAttr repeat(int n) { segment.set(U32, REPEAT, n); return this; }

    /** BPF_F_TEST_* flags (e.g. BPF_F_TEST_RUN_ON_CPU = 1, BPF_F_TEST_XDP_LIVE_FRAMES = 2). */
    public TestRunAttr flags(int flags) { segment.set(U32, FLAGS, flags); return this; }

    /** The CPU to run on, with BPF_F_TEST_RUN_ON_CPU. */
    public TestRunAttr cpu(int cpu) { segment.set(U32, CPU, cpu); return this; }

    /** For XDP live frames: packets per batch. */
    public TestRunAttr batchSize(int n) { segment.set(U32, BATCH_SIZE, n); return this; }

    /** The program's return value (of the last run). */
    public int retval() { return segment.get(U32, RETVAL); }

    /** Mean duration of one run in nanoseconds. */
    public int duration() { return segment.get(U32, DURATION); }

    /** Bytes the kernel wrote to data_out (it may be more than the buffer: then ENOSPC). */
    public int dataSizeOut() { return segment.get(U32, DATA_SIZE_OUT); }

    /** Bytes the kernel wrote to ctx_out. */
    public int ctxSizeOut() { return segment.get(U32, CTX_SIZE_OUT); }

    public MemorySegment segment() {
        return segment;
    }
}
