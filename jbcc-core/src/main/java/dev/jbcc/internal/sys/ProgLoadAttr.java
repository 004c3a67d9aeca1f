package dev.jbcc.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.jbcc.internal.sys.BpfAttr.ProgLoad.*;
import static dev.jbcc.internal.sys.BpfAttr.U32;
import static dev.jbcc.internal.sys.BpfAttr.U64;

/**
 * The BPF_PROG_LOAD attr, filled through setters; unset fields stay zero. Memory the attr
 * points at (instructions, license, log, func/line info, fd array) must be native and stay
 * alive until {@link Bpf#progLoad} returns; allocate it from the same arena. After the call,
 * {@link #logTrueSize()} tells how big the verifier log wanted to be (kernel 6.4+).
 * Not thread-safe.
 */
public final class ProgLoadAttr {
    /** Size of one eBPF instruction ({@code struct bpf_insn}). */
    public static final int INSN_SIZE = 8;

    final MemorySegment segment;

    public ProgLoadAttr(Arena arena) {
        segment = arena.allocate(BpfAttr.UNION_SIZE, 8);
    }

    /** {@code enum bpf_prog_type} value. */
    public ProgLoadAttr progType(int type) { segment.set(U32, PROG_TYPE, type); return this; }

    /** The instructions, 8 bytes each in native order; sets {@code insns} and {@code insn_cnt}. */
    public ProgLoadAttr insns(MemorySegment insns) {
        segment.set(U64, INSNS, Mem.address(insns, "insns"));
        segment.set(U32, INSN_CNT, Mem.count(insns, INSN_SIZE, "insns"));
        return this;
    }

    /** A NUL-terminated license string (e.g. "GPL"); GPL-only helpers need a GPL-compatible one. */
    public ProgLoadAttr license(MemorySegment cString) { segment.set(U64, LICENSE, Mem.address(cString, "license")); return this; }

    /**
     * The verifier log: a native buffer and a level (1 = on failure, 2 = every instruction,
     * 4 = stats; level 0 means no log and requires a null buffer). On failure with ENOSPC the log
     * was truncated; grow the buffer and load again.
     */
    public ProgLoadAttr log(MemorySegment buffer, int level) {
        segment.set(U64, LOG_BUF, Mem.address(buffer, "log buffer"));
        segment.set(U32, LOG_SIZE, buffer == null ? 0 : Math.toIntExact(Math.min(buffer.byteSize(), Integer.MAX_VALUE >>> 8)));
        segment.set(U32, LOG_LEVEL, level);
        return this;
    }

    /** LINUX_VERSION_CODE, only checked for kprobes on kernels before 5.0. */
    public ProgLoadAttr kernVersion(int version) { segment.set(U32, KERN_VERSION, version); return this; }

    /** BPF_F_* program flags (e.g. BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS). */
    public ProgLoadAttr progFlags(int flags) { segment.set(U32, PROG_FLAGS, flags); return this; }

    /** The name (kernel 4.15+): at most 15 of [A-Za-z0-9_.]; longer names are cut. */
    public ProgLoadAttr progName(String name) { Mem.putName(segment, PROG_NAME, name, 16); return this; }

    /** Offload target interface, 0 for none. */
    public ProgLoadAttr progIfindex(int ifindex) { segment.set(U32, PROG_IFINDEX, ifindex); return this; }

    /** {@code enum bpf_attach_type} value the program will be attached with. */
    public ProgLoadAttr expectedAttachType(int type) { segment.set(U32, EXPECTED_ATTACH_TYPE, type); return this; }

    /** The program's BTF object (needed with func_info/line_info). */
    public ProgLoadAttr progBtfFd(Fd btf) { segment.set(U32, PROG_BTF_FD, btf.raw()); return this; }

    /**
     * {@code struct bpf_func_info} records (insn_off, type_id), {@code recordSize} bytes each;
     * sets func_info, func_info_rec_size and func_info_cnt.
     */
    public ProgLoadAttr funcInfo(MemorySegment records, int recordSize) {
        segment.set(U64, FUNC_INFO, Mem.address(records, "func_info"));
        segment.set(U32, FUNC_INFO_REC_SIZE, recordSize);
        segment.set(U32, FUNC_INFO_CNT, Mem.count(records, recordSize, "func_info"));
        return this;
    }

    /** {@code struct bpf_line_info} records, {@code recordSize} bytes each; sets the three line_info fields. */
    public ProgLoadAttr lineInfo(MemorySegment records, int recordSize) {
        segment.set(U64, LINE_INFO, Mem.address(records, "line_info"));
        segment.set(U32, LINE_INFO_REC_SIZE, recordSize);
        segment.set(U32, LINE_INFO_CNT, Mem.count(records, recordSize, "line_info"));
        return this;
    }

    /** For tracing/LSM/ext/struct_ops: the BTF id of the attach target. */
    public ProgLoadAttr attachBtfId(int id) { segment.set(U32, ATTACH_BTF_ID, id); return this; }

    /** The BTF object (vmlinux or a module) that {@link #attachBtfId} refers to; unset means vmlinux. */
    public ProgLoadAttr attachBtfObjFd(Fd btf) { segment.set(U32, ATTACH_BTF_OBJ_FD, btf.raw()); return this; }

    /** For freplace/fentry on BPF programs: the target program (shares a union with attach_btf_obj_fd). */
    public ProgLoadAttr attachProgFd(Fd prog) { segment.set(U32, ATTACH_PROG_FD, prog.raw()); return this; }

    /**
     * An int array of map/BTF fds that instructions refer to by index (BPF_PSEUDO_MAP_IDX,
     * kfunc module BTFs). Only sets {@code fd_array}; {@code fd_array_cnt} (6.14+) stays 0 so
     * older kernels accept the attr.
     */
    public ProgLoadAttr fdArray(MemorySegment fds) { segment.set(U64, FD_ARRAY, Mem.address(fds, "fd_array")); return this; }

    /** The log size the kernel needed, written back by kernels 6.4+; 0 otherwise. */
    public int logTrueSize() {
        return segment.get(U32, LOG_TRUE_SIZE);
    }

    public MemorySegment segment() {
        return segment;
    }
}
