package dev.jbcc.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.jbcc.internal.sys.BpfAttr.BtfLoad.*;
import static dev.jbcc.internal.sys.BpfAttr.U32;
import static dev.jbcc.internal.sys.BpfAttr.U64;

/** The BPF_BTF_LOAD attr: a raw BTF blob (header, types, strings) and an optional log. Not thread-safe. */
public final class BtfLoadAttr {
    final MemorySegment segment;

    public BtfLoadAttr(Arena arena) {
        segment = arena.allocate(BpfAttr.UNION_SIZE, 8);
    }

    /** The BTF blob, native memory; sets btf and btf_size. */
    public BtfLoadAttr btf(MemorySegment blob) {
        segment.set(U64, BTF, Mem.address(blob, "btf"));
        segment.set(U32, BTF_SIZE, Math.toIntExact(blob.byteSize()));
        return this;
    }

    /** The log buffer and level (1 = on failure); ENOSPC means the log was truncated. */
    public BtfLoadAttr log(MemorySegment buffer, int level) {
        segment.set(U64, BTF_LOG_BUF, Mem.address(buffer, "btf log buffer"));
        segment.set(U32, BTF_LOG_SIZE, buffer == null ? 0 : Math.toIntExact(Math.min(buffer.byteSize(), Integer.MAX_VALUE >>> 8)));
        segment.set(U32, BTF_LOG_LEVEL, level);
        return this;
    }

    /** The log size the kernel needed (6.4+). */
    public int logTrueSize() {
        return segment.get(U32, BTF_LOG_TRUE_SIZE);
    }

    public MemorySegment segment() {
        return segment;
    }
}
