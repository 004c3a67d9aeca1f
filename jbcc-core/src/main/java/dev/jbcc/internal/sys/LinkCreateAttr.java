package dev.jbcc.internal.sys;

import dev.jbcc.spec.AttachType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;

import static dev.jbcc.internal.sys.BpfAttr.LinkCreate.*;
import static dev.jbcc.internal.sys.BpfAttr.U32;
import static dev.jbcc.internal.sys.BpfAttr.U64;

/**
 * The BPF_LINK_CREATE attr: the common head through setters, then the per-kind tail (a union in
 * the kernel) through one setter per kind, which checks that the attach type set before it is one
 * that reads that member of the union. Not thread-safe.
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

    /** {@code iter}: the iterator's {@code union bpf_iter_link_info} (a map, a task), for TRACE_ITER. */
    public LinkCreateAttr iterInfo(MemorySegment info, int length) {
        requireAttachType("iter_info", AttachType.TRACE_ITER);
        segment.set(U64, ITER_INFO, info.address());
        segment.set(U32, ITER_INFO_LEN, length);
        return this;
    }

    /** {@code perf_event.bpf_cookie}, for PERF_EVENT. */
    public LinkCreateAttr perfEventCookie(long cookie) {
        requireAttachType("perf_event", AttachType.PERF_EVENT);
        segment.set(U64, PERF_EVENT_BPF_COOKIE, cookie);
        return this;
    }

    /** {@code tracing.cookie}, for fentry, fexit, fmod_ret, tp_btf and LSM links. */
    public LinkCreateAttr tracingCookie(long cookie) {
        requireAttachType("tracing", AttachType.TRACE_FENTRY, AttachType.TRACE_FEXIT, AttachType.MODIFY_RETURN,
                AttachType.TRACE_RAW_TP, AttachType.LSM_MAC);
        segment.set(U64, TRACING_COOKIE, cookie);
        return this;
    }

    /**
     * {@code kprobe_multi}, for TRACE_KPROBE_MULTI: {@code cnt} functions by name ({@code syms}, an
     * array of C strings) or address ({@code addrs}), with optional per-function cookies; NULL for
     * an array not given.
     */
    public LinkCreateAttr kprobeMulti(int flags, int cnt, MemorySegment syms, MemorySegment addrs, MemorySegment cookies) {
        requireAttachType("kprobe_multi", AttachType.TRACE_KPROBE_MULTI);
        segment.set(U32, KPROBE_MULTI_FLAGS, flags);
        segment.set(U32, KPROBE_MULTI_CNT, cnt);
        segment.set(U64, KPROBE_MULTI_SYMS, syms.address());
        segment.set(U64, KPROBE_MULTI_ADDRS, addrs.address());
        segment.set(U64, KPROBE_MULTI_COOKIES, cookies.address());
        return this;
    }

    /**
     * {@code uprobe_multi}, for TRACE_UPROBE_MULTI: {@code cnt} offsets into the binary at
     * {@code path}, with optional reference counter offsets and cookies (NULL when not given),
     * limited to process {@code pid} (0: all).
     */
    public LinkCreateAttr uprobeMulti(MemorySegment path, MemorySegment offsets, MemorySegment refCtrOffsets,
                                      MemorySegment cookies, int cnt, int flags, int pid) {
        requireAttachType("uprobe_multi", AttachType.TRACE_UPROBE_MULTI);
        segment.set(U64, UPROBE_MULTI_PATH, path.address());
        segment.set(U64, UPROBE_MULTI_OFFSETS, offsets.address());
        segment.set(U64, UPROBE_MULTI_REF_CTR_OFFSETS, refCtrOffsets.address());
        segment.set(U64, UPROBE_MULTI_COOKIES, cookies.address());
        segment.set(U32, UPROBE_MULTI_CNT, cnt);
        segment.set(U32, UPROBE_MULTI_FLAGS, flags);
        segment.set(U32, UPROBE_MULTI_PID, pid);
        return this;
    }

    /** The tail is a union read by attach type: writing another kind's member would be misread. */
    private void requireAttachType(String member, AttachType... readers) {
        int set = segment.get(U32, ATTACH_TYPE);
        for (AttachType t : readers) if (t.value() == set) return;
        throw new IllegalStateException("link_create." + member + " is read for attach types " + Set.of(readers)
                + ", but this attr's attach type is " + set + "; set attachType first");
    }

    public MemorySegment segment() {
        return segment;
    }
}
