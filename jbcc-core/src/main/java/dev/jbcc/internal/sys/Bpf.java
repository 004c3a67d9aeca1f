package dev.jbcc.internal.sys;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.jbcc.internal.sys.BpfAttr.U32;
import static dev.jbcc.internal.sys.BpfAttr.U64;

/**
 * Typed wrappers over bpf(2), one per command. Each fills a zeroed {@code bpf_attr}, makes the
 * call and turns a failure into a {@link SyscallException} naming the command and errno.
 * Lookups that can legitimately find nothing return {@code false} on ENOENT instead.
 *
 * <p>Simple commands use a per-thread scratch attr, so element operations allocate nothing;
 * all methods are thread-safe. Key and value segments must be native memory of at least the
 * map's key/value size (per-CPU maps: value size rounded up to 8, times the possible CPUs).
 */
public final class Bpf {
    private Bpf() {}

    /** How many times BPF_PROG_LOAD is retried on EAGAIN (the verifier was interrupted by a signal). */
    static final int PROG_LOAD_ATTEMPTS = 5;

    /** The raw call: result &ge; 0, or -errno. */
    static long raw(BpfCommand cmd, MemorySegment attr, StructLayout layout) {
        return Libc.bpf(cmd.value(), attr, (int) layout.byteSize());
    }

    private static long check(BpfCommand cmd, long rc) {
        if (rc < 0) throw new SyscallException(cmd.kernelName(), (int) -rc);
        return rc;
    }

    private static Fd fd(BpfCommand cmd, long rc) {
        return Fd.adopt((int) check(cmd, rc));
    }

    /** The per-thread scratch attr, zeroed up to {@code layout}'s size. */
    private static MemorySegment attr(StructLayout layout) {
        MemorySegment attr = Libc.scratch().attr;
        attr.asSlice(0, layout.byteSize()).fill((byte) 0);
        return attr;
    }

    // ---- maps ----

    /** BPF_MAP_CREATE: a new map. */
    public static Fd mapCreate(MapCreateAttr attr) {
        return fd(BpfCommand.MAP_CREATE, raw(BpfCommand.MAP_CREATE, attr.segment, BpfAttr.MapCreate.LAYOUT));
    }

    private static long elem(BpfCommand cmd, Fd map, MemorySegment key, MemorySegment valueOrNextKey, long flags) {
        MemorySegment attr = attr(BpfAttr.MapElem.LAYOUT);
        attr.set(U32, BpfAttr.MapElem.MAP_FD, map.raw());
        attr.set(U64, BpfAttr.MapElem.KEY, Mem.address(key, "key"));
        attr.set(U64, BpfAttr.MapElem.VALUE, Mem.address(valueOrNextKey, "value"));
        attr.set(U64, BpfAttr.MapElem.FLAGS, flags);
        return raw(cmd, attr, BpfAttr.MapElem.LAYOUT);
    }

    private static boolean found(BpfCommand cmd, long rc) {
        if (rc == -Errno.ENOENT) return false;
        check(cmd, rc);
        return true;
    }

    /**
     * BPF_MAP_LOOKUP_ELEM: copies the value for {@code key} into {@code value}.
     *
     * @param key   the key (null for queue/stack peek)
     * @param flags 0 or BPF_F_LOCK (copy under the value's bpf_spin_lock)
     * @return false if there is no such key (ENOENT)
     */
    public static boolean mapLookupElem(Fd map, MemorySegment key, MemorySegment value, long flags) {
        return found(BpfCommand.MAP_LOOKUP_ELEM, elem(BpfCommand.MAP_LOOKUP_ELEM, map, key, value, flags));
    }

    /**
     * BPF_MAP_UPDATE_ELEM: creates or replaces the value for {@code key}.
     *
     * @param key   the key (null for queue/stack push)
     * @param flags BPF_ANY, BPF_NOEXIST (fail with EEXIST if present), BPF_EXIST (fail with ENOENT
     *              if absent), optionally | BPF_F_LOCK
     */
    public static void mapUpdateElem(Fd map, MemorySegment key, MemorySegment value, long flags) {
        check(BpfCommand.MAP_UPDATE_ELEM, elem(BpfCommand.MAP_UPDATE_ELEM, map, key, value, flags));
    }

    /** The raw BPF_MAP_UPDATE_ELEM result: 0, or -errno, for callers that explain errors themselves. */
    public static int mapUpdateElemErrno(Fd map, MemorySegment key, MemorySegment value, long flags) {
        return (int) elem(BpfCommand.MAP_UPDATE_ELEM, map, key, value, flags);
    }

    /** BPF_MAP_DELETE_ELEM; false if there was no such key. */
    public static boolean mapDeleteElem(Fd map, MemorySegment key) {
        return found(BpfCommand.MAP_DELETE_ELEM, elem(BpfCommand.MAP_DELETE_ELEM, map, key, null, 0));
    }

    /**
     * BPF_MAP_GET_NEXT_KEY: writes the key after {@code key} into {@code nextKey}.
     *
     * @param key the current key, or null for the first key (a key not in the map also yields
     *            the first key)
     * @return false when {@code key} was the last one (or the map is empty)
     */
    public static boolean mapGetNextKey(Fd map, MemorySegment key, MemorySegment nextKey) {
        return found(BpfCommand.MAP_GET_NEXT_KEY, elem(BpfCommand.MAP_GET_NEXT_KEY, map, key, nextKey, 0));
    }

    /**
     * BPF_MAP_LOOKUP_AND_DELETE_ELEM: queue/stack pop (key null), or hash lookup-and-delete (5.14+).
     *
     * @return false if empty / no such key
     */
    public static boolean mapLookupAndDeleteElem(Fd map, MemorySegment key, MemorySegment value, long flags) {
        return found(BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM,
                elem(BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM, map, key, value, flags));
    }

    /** BPF_MAP_FREEZE: makes the map read-only for user space (programs may still write unless BPF_F_RDONLY_PROG). */
    public static void mapFreeze(Fd map) {
        MemorySegment attr = attr(BpfAttr.MapElem.LAYOUT);
        attr.set(U32, BpfAttr.MapElem.MAP_FD, map.raw());
        check(BpfCommand.MAP_FREEZE, raw(BpfCommand.MAP_FREEZE, attr, BpfAttr.MapElem.LAYOUT));
    }

    /**
     * The outcome of a batch operation.
     *
     * @param count how many elements were processed (valid even when the kernel also failed)
     * @param done  true when the iteration reached the end of the map (ENOENT)
     */
    public record BatchResult(int count, boolean done) {}

    private static long batch(BpfCommand cmd, Fd map, MemorySegment inBatch, MemorySegment outBatch,
                              MemorySegment keys, MemorySegment values, int count, long elemFlags) {
        MemorySegment attr = attr(BpfAttr.MapBatch.LAYOUT);
        attr.set(U64, BpfAttr.MapBatch.IN_BATCH, Mem.address(inBatch, "in_batch"));
        attr.set(U64, BpfAttr.MapBatch.OUT_BATCH, Mem.address(outBatch, "out_batch"));
        attr.set(U64, BpfAttr.MapBatch.KEYS, Mem.address(keys, "keys"));
        attr.set(U64, BpfAttr.MapBatch.VALUES, Mem.address(values, "values"));
        attr.set(U32, BpfAttr.MapBatch.COUNT, count);
        attr.set(U32, BpfAttr.MapBatch.MAP_FD, map.raw());
        attr.set(U64, BpfAttr.MapBatch.ELEM_FLAGS, elemFlags);
        long rc = raw(cmd, attr, BpfAttr.MapBatch.LAYOUT);
        int done = attr.get(U32, BpfAttr.MapBatch.COUNT);
        // Pack count and errno into one long: the kernel reports a count even when it fails.
        return rc < 0 ? ((long) (int) -rc << 32) | (done & 0xFFFFFFFFL) : done & 0xFFFFFFFFL;
    }

    private static BatchResult iterating(BpfCommand cmd, long packed) {
        int errno = (int) (packed >>> 32);
        int count = (int) packed;
        if (errno == Errno.ENOENT) return new BatchResult(count, true);
        if (errno != 0) throw new SyscallException(cmd.kernelName(), errno, count + " elements were processed before the failure");
        return new BatchResult(count, false);
    }

    /**
     * BPF_MAP_LOOKUP_BATCH (5.6+): copies up to {@code count} entries starting at the opaque
     * cursor {@code inBatch} (null for the start) into {@code keys}/{@code values} and stores the
     * next cursor in {@code outBatch}. Cursor segments must hold a key (hash maps need key size,
     * at least 4 bytes).
     */
    public static BatchResult mapLookupBatch(Fd map, MemorySegment inBatch, MemorySegment outBatch,
                                             MemorySegment keys, MemorySegment values, int count, long elemFlags) {
        return iterating(BpfCommand.MAP_LOOKUP_BATCH,
                batch(BpfCommand.MAP_LOOKUP_BATCH, map, inBatch, outBatch, keys, values, count, elemFlags));
    }

    /** BPF_MAP_LOOKUP_AND_DELETE_BATCH (5.6+): like {@link #mapLookupBatch}, deleting what it returns. */
    public static BatchResult mapLookupAndDeleteBatch(Fd map, MemorySegment inBatch, MemorySegment outBatch,
                                                      MemorySegment keys, MemorySegment values, int count,
                                                      long elemFlags) {
        return iterating(BpfCommand.MAP_LOOKUP_AND_DELETE_BATCH,
                batch(BpfCommand.MAP_LOOKUP_AND_DELETE_BATCH, map, inBatch, outBatch, keys, values, count, elemFlags));
    }

    /**
     * BPF_MAP_UPDATE_BATCH (5.6+): writes {@code count} key/value pairs.
     *
     * @param elemFlags BPF_ANY/NOEXIST/EXIST, optionally | BPF_F_LOCK
     * @return how many were written
     * @throws SyscallException if the kernel stopped early; the message says how many were written
     */
    public static int mapUpdateBatch(Fd map, MemorySegment keys, MemorySegment values, int count, long elemFlags) {
        long packed = batch(BpfCommand.MAP_UPDATE_BATCH, map, null, null, keys, values, count, elemFlags);
        int errno = (int) (packed >>> 32);
        if (errno != 0)
            throw new SyscallException(BpfCommand.MAP_UPDATE_BATCH.kernelName(), errno,
                    (int) packed + " of " + count + " elements were written before the failure");
        return (int) packed;
    }

    /**
     * BPF_MAP_DELETE_BATCH (5.6+): deletes {@code count} keys.
     *
     * @return how many were deleted
     * @throws SyscallException if a key was missing (ENOENT) or another error stopped it; the
     *                          message says how many were deleted
     */
    public static int mapDeleteBatch(Fd map, MemorySegment keys, int count, long elemFlags) {
        long packed = batch(BpfCommand.MAP_DELETE_BATCH, map, null, null, keys, null, count, elemFlags);
        int errno = (int) (packed >>> 32);
        if (errno != 0)
            throw new SyscallException(BpfCommand.MAP_DELETE_BATCH.kernelName(), errno,
                    (int) packed + " of " + count + " elements were deleted before the failure");
        return (int) packed;
    }

    // ---- pinning and ids ----

    /**
     * BPF_OBJ_PIN: pins the object at {@code path}, which must be on a bpf file system.
     *
     * @throws dev.jbcc.errors.PinException saying why not, and the fix
     */
    public static void objPin(Fd object, String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = attr(BpfAttr.Obj.LAYOUT);
            attr.set(U64, BpfAttr.Obj.PATHNAME, arena.allocateFrom(path).address());
            attr.set(U32, BpfAttr.Obj.BPF_FD, object.raw());
            long rc = raw(BpfCommand.OBJ_PIN, attr, BpfAttr.Obj.LAYOUT);
            if (rc < 0) throw BpfFs.pinFailed(path, (int) -rc);
        }
    }

    /**
     * BPF_OBJ_GET: opens the object pinned at {@code path}; {@code fileFlags} 0, BPF_F_RDONLY (8) or BPF_F_WRONLY (16).
     *
     * @throws dev.jbcc.errors.PinException saying why not, and the fix
     */
    public static Fd objGet(String path, int fileFlags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = attr(BpfAttr.Obj.LAYOUT);
            attr.set(U64, BpfAttr.Obj.PATHNAME, arena.allocateFrom(path).address());
            attr.set(U32, BpfAttr.Obj.FILE_FLAGS, fileFlags);
            long rc = raw(BpfCommand.OBJ_GET, attr, BpfAttr.Obj.LAYOUT);
            if (rc < 0) throw BpfFs.getFailed(path, (int) -rc);
            return Fd.adopt((int) rc);
        }
    }

    private static int nextId(BpfCommand cmd, int startId) {
        MemorySegment attr = attr(BpfAttr.GetId.LAYOUT);
        attr.set(U32, BpfAttr.GetId.ID, startId);
        long rc = raw(cmd, attr, BpfAttr.GetId.LAYOUT);
        if (rc == -Errno.ENOENT) return 0;
        check(cmd, rc);
        return attr.get(U32, BpfAttr.GetId.NEXT_ID);
    }

    private static Fd fdById(BpfCommand cmd, int id) {
        MemorySegment attr = attr(BpfAttr.GetId.LAYOUT);
        attr.set(U32, BpfAttr.GetId.ID, id);
        long rc = raw(cmd, attr, BpfAttr.GetId.LAYOUT);
        if (rc < 0) throw new SyscallException(cmd.kernelName(), (int) -rc,
                rc == -Errno.ENOENT ? "no object with id " + id : null);
        return Fd.adopt((int) rc);
    }

    /** The next program id after {@code startId} (0 to start), or 0 when there are no more. */
    public static int progGetNextId(int startId) { return nextId(BpfCommand.PROG_GET_NEXT_ID, startId); }

    public static int mapGetNextId(int startId) { return nextId(BpfCommand.MAP_GET_NEXT_ID, startId); }

    public static int btfGetNextId(int startId) { return nextId(BpfCommand.BTF_GET_NEXT_ID, startId); }

    public static int linkGetNextId(int startId) { return nextId(BpfCommand.LINK_GET_NEXT_ID, startId); }

    /** A new fd for the program with this id; ENOENT if none. */
    public static Fd progGetFdById(int id) { return fdById(BpfCommand.PROG_GET_FD_BY_ID, id); }

    public static Fd mapGetFdById(int id) { return fdById(BpfCommand.MAP_GET_FD_BY_ID, id); }

    public static Fd btfGetFdById(int id) { return fdById(BpfCommand.BTF_GET_FD_BY_ID, id); }

    public static Fd linkGetFdById(int id) { return fdById(BpfCommand.LINK_GET_FD_BY_ID, id); }

    /**
     * BPF_OBJ_GET_INFO_BY_FD: fills {@code info} (a zeroed, native {@code bpf_*_info} buffer;
     * see {@link BpfInfo}) for a map, program, BTF or link fd.
     *
     * @return how many bytes the kernel filled
     */
    public static int objGetInfoByFd(Fd object, MemorySegment info) {
        MemorySegment attr = attr(BpfAttr.InfoByFd.LAYOUT);
        attr.set(U32, BpfAttr.InfoByFd.BPF_FD, object.raw());
        attr.set(U32, BpfAttr.InfoByFd.INFO_LEN, Math.toIntExact(info.byteSize()));
        attr.set(U64, BpfAttr.InfoByFd.INFO, Mem.address(info, "info"));
        check(BpfCommand.OBJ_GET_INFO_BY_FD, raw(BpfCommand.OBJ_GET_INFO_BY_FD, attr, BpfAttr.InfoByFd.LAYOUT));
        return attr.get(U32, BpfAttr.InfoByFd.INFO_LEN);
    }

    /** {@code struct bpf_map_info} of a map fd. */
    public static MapInfo mapInfo(Fd map) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(BpfInfo.Map.LAYOUT);
            objGetInfoByFd(map, info);
            return MapInfo.read(info);
        }
    }

    /** {@code struct bpf_prog_info} of a program fd (scalar fields only; no arrays are requested). */
    public static ProgInfo progInfo(Fd prog) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(BpfInfo.Prog.LAYOUT);
            objGetInfoByFd(prog, info);
            return ProgInfo.read(info);
        }
    }

    // ---- programs and BTF ----

    /**
     * BPF_PROG_LOAD: verifies and loads a program. EAGAIN (the verifier was interrupted) is
     * retried a few times. On failure the verifier log, if one was requested, is in the log
     * buffer; the caller turns it into a {@code VerifierException}.
     *
     * @throws SyscallException with the errno: EACCES/EINVAL usually mean the verifier rejected
     *                          the program, ENOSPC that the log buffer was too small
     */
    public static Fd progLoad(ProgLoadAttr attr) {
        long rc = 0;
        for (int attempt = 0; attempt < PROG_LOAD_ATTEMPTS; attempt++) {
            rc = raw(BpfCommand.PROG_LOAD, attr.segment, BpfAttr.ProgLoad.LAYOUT);
            if (rc != -Errno.EAGAIN) break;
        }
        return fd(BpfCommand.PROG_LOAD, rc);
    }

    /** BPF_PROG_LOAD without throwing: the new fd's raw number, or -errno. EAGAIN is retried. */
    public static int progLoadErrno(ProgLoadAttr attr) {
        long rc = 0;
        for (int attempt = 0; attempt < PROG_LOAD_ATTEMPTS; attempt++) {
            rc = raw(BpfCommand.PROG_LOAD, attr.segment, BpfAttr.ProgLoad.LAYOUT);
            if (rc != -Errno.EAGAIN) break;
        }
        return (int) rc;
    }

    /** BPF_PROG_TEST_RUN: runs a loaded program on the given input; results are read back from {@code attr}. */
    public static void progTestRun(TestRunAttr attr) {
        check(BpfCommand.PROG_TEST_RUN, raw(BpfCommand.PROG_TEST_RUN, attr.segment, BpfAttr.TestRun.LAYOUT));
    }

    /** BPF_BTF_LOAD: loads a BTF blob; on failure the log (if requested) says why. */
    public static Fd btfLoad(BtfLoadAttr attr) {
        return fd(BpfCommand.BTF_LOAD, raw(BpfCommand.BTF_LOAD, attr.segment, BpfAttr.BtfLoad.LAYOUT));
    }

    /** BPF_PROG_BIND_MAP (5.10+): keeps {@code map} alive as long as {@code prog}, without the program using it. */
    public static void progBindMap(Fd prog, Fd map) {
        MemorySegment attr = attr(BpfAttr.ProgBindMap.LAYOUT);
        attr.set(U32, BpfAttr.ProgBindMap.PROG_FD, prog.raw());
        attr.set(U32, BpfAttr.ProgBindMap.MAP_FD, map.raw());
        check(BpfCommand.PROG_BIND_MAP, raw(BpfCommand.PROG_BIND_MAP, attr, BpfAttr.ProgBindMap.LAYOUT));
    }

    // ---- attachment ----

    /** BPF_LINK_CREATE: a new link fd. */
    public static Fd linkCreate(LinkCreateAttr attr) {
        return fd(BpfCommand.LINK_CREATE, raw(BpfCommand.LINK_CREATE, attr.segment, BpfAttr.LinkCreate.LAYOUT));
    }

    /**
     * BPF_LINK_UPDATE: swaps the link's program.
     *
     * @param oldProg if not null, the update only happens while this program is attached
     *                (flag BPF_F_REPLACE = 4 must be in {@code flags})
     */
    public static void linkUpdate(Fd link, Fd newProg, int flags, Fd oldProg) {
        MemorySegment attr = attr(BpfAttr.LinkUpdate.LAYOUT);
        attr.set(U32, BpfAttr.LinkUpdate.LINK_FD, link.raw());
        attr.set(U32, BpfAttr.LinkUpdate.NEW_PROG_FD, newProg.raw());
        attr.set(U32, BpfAttr.LinkUpdate.FLAGS, flags);
        if (oldProg != null) attr.set(U32, BpfAttr.LinkUpdate.OLD_PROG_FD, oldProg.raw());
        check(BpfCommand.LINK_UPDATE, raw(BpfCommand.LINK_UPDATE, attr, BpfAttr.LinkUpdate.LAYOUT));
    }

    /** BPF_LINK_DETACH (5.9+): detaches the link while its fd stays open. */
    public static void linkDetach(Fd link) {
        MemorySegment attr = attr(BpfAttr.LinkDetach.LAYOUT);
        attr.set(U32, BpfAttr.LinkDetach.LINK_FD, link.raw());
        check(BpfCommand.LINK_DETACH, raw(BpfCommand.LINK_DETACH, attr, BpfAttr.LinkDetach.LAYOUT));
    }

    /** BPF_RAW_TRACEPOINT_OPEN: attaches a raw tracepoint (or tracing) program; null name for tracing programs. */
    public static Fd rawTracepointOpen(String name, Fd prog, long cookie) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = attr(BpfAttr.RawTracepointOpen.LAYOUT);
            if (name != null) attr.set(U64, BpfAttr.RawTracepointOpen.NAME, arena.allocateFrom(name).address());
            attr.set(U32, BpfAttr.RawTracepointOpen.PROG_FD, prog.raw());
            attr.set(U64, BpfAttr.RawTracepointOpen.COOKIE, cookie);
            return fd(BpfCommand.RAW_TRACEPOINT_OPEN,
                    raw(BpfCommand.RAW_TRACEPOINT_OPEN, attr, BpfAttr.RawTracepointOpen.LAYOUT));
        }
    }

    /** BPF_PROG_ATTACH (legacy cgroup/sockmap/flow dissector attachment). */
    public static void progAttach(int targetFd, Fd prog, int attachType, int attachFlags, Fd replace) {
        MemorySegment attr = attr(BpfAttr.ProgAttach.LAYOUT);
        attr.set(U32, BpfAttr.ProgAttach.TARGET_FD, targetFd);
        attr.set(U32, BpfAttr.ProgAttach.ATTACH_BPF_FD, prog.raw());
        attr.set(U32, BpfAttr.ProgAttach.ATTACH_TYPE, attachType);
        attr.set(U32, BpfAttr.ProgAttach.ATTACH_FLAGS, attachFlags);
        if (replace != null) attr.set(U32, BpfAttr.ProgAttach.REPLACE_BPF_FD, replace.raw());
        check(BpfCommand.PROG_ATTACH, raw(BpfCommand.PROG_ATTACH, attr, BpfAttr.ProgAttach.LAYOUT));
    }

    /** BPF_PROG_DETACH; {@code prog} may be null where the attach point holds one program. */
    public static void progDetach(int targetFd, Fd prog, int attachType) {
        MemorySegment attr = attr(BpfAttr.ProgAttach.LAYOUT);
        attr.set(U32, BpfAttr.ProgAttach.TARGET_FD, targetFd);
        if (prog != null) attr.set(U32, BpfAttr.ProgAttach.ATTACH_BPF_FD, prog.raw());
        attr.set(U32, BpfAttr.ProgAttach.ATTACH_TYPE, attachType);
        check(BpfCommand.PROG_DETACH, raw(BpfCommand.PROG_DETACH, attr, BpfAttr.ProgAttach.LAYOUT));
    }

    /** BPF_ITER_CREATE: an fd that reads the output of an iterator link. */
    public static Fd iterCreate(Fd link) {
        MemorySegment attr = attr(BpfAttr.IterCreate.LAYOUT);
        attr.set(U32, BpfAttr.IterCreate.LINK_FD, link.raw());
        return fd(BpfCommand.ITER_CREATE, raw(BpfCommand.ITER_CREATE, attr, BpfAttr.IterCreate.LAYOUT));
    }

    /** Statistic for {@link #enableStats}: run time and count of every program. */
    public static final int BPF_STATS_RUN_TIME = 0;

    /** BPF_ENABLE_STATS (5.8+): statistics stay on while the returned fd is open. */
    public static Fd enableStats(int type) {
        MemorySegment attr = attr(BpfAttr.EnableStats.LAYOUT);
        attr.set(U32, BpfAttr.EnableStats.TYPE, type);
        return fd(BpfCommand.ENABLE_STATS, raw(BpfCommand.ENABLE_STATS, attr, BpfAttr.EnableStats.LAYOUT));
    }
}
