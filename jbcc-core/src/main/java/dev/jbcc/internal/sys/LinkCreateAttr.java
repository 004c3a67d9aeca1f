package dev.jbcc.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.jbcc.internal.sys.BpfAttr.LinkCreate.*;
import static dev.jbcc.internal.sys.BpfAttr.U32;
import static dev.jbcc.internal.sys.BpfAttr.U64;

/**
 * The BPF_LINK_CREATE attr: the common head through setters, the per-kind tail through
 * {@link #tail(long, long)} / {@link #tail32(long, int)} at the {@code BpfAttr.LinkCreate.*}
 * offsets (e.g. {@code TCX_RELATIVE_FD}, {@code PERF_EVENT_BPF_COOKIE}). Not thread-safe.
 */
public final class LinkCreateAttr {
    final MemorySegment segment;

    public LinkCreateAttr(Arena arena) {
        segment = arena.allocate(BpfAttr.UNION_SIZE, 8);
    }

    public LinkCreateAttr progFd(Fd prog) { segment.set(U32, PROG_FD, prog.raw()); return this; }

    /** For struct_ops links, the map instead of a program (same slot). */
    public LinkCreateAttr mapFd(Fd map) { segment.set(U32, PROG_FD, map.raw()); return this; }

    /** Target: a cgroup/netns/perf event fd, or an ifindex (XDP, tcx, netkit), or 0. */
    public LinkCreateAttr target(int fdOrIfindex) { segment.set(U32, TARGET_FD, fdOrIfindex); return this; }

    /** {@code enum bpf_attach_type} value. */
    public LinkCreateAttr attachType(int type) { segment.set(U32, ATTACH_TYPE, type); return this; }

    public LinkCreateAttr flags(int flags) { segment.set(U32, FLAGS, flags); return this; }

    /** Sets a 64-bit tail field (pointers, cookies, revisions). */
    public LinkCreateAttr tail(long offset, long value) { segment.set(U64, offset, value); return this; }

    /** Sets a 32-bit tail field (counts, fds, ids, flags). */
    public LinkCreateAttr tail32(long offset, int value) { segment.set(U32, offset, value); return this; }

    public MemorySegment segment() {
        return segment;
    }
}
