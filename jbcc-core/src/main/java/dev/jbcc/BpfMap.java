package dev.jbcc;

import dev.jbcc.errors.BpfException;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.features.Feature;
import dev.jbcc.features.Features;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.BpfFs;
import dev.jbcc.internal.sys.Cpus;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.internal.sys.Privileges;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.internal.sys.MapCreateAttr;
import dev.jbcc.internal.sys.MapInfo;
import dev.jbcc.spec.BpfFlags;
import dev.jbcc.spec.MapSpec;

import dev.jbcc.spec.MapType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A BPF map in the kernel, owned through its file descriptor.
 *
 * <p>Byte-level operations take {@link MemorySegment}s: keys of at least {@link #keySize()}
 * bytes and values of at least {@link #valueBufferSize()} bytes (for per-CPU maps one slot of
 * {@link #valueStride()} bytes per possible CPU). Native segments go to the kernel directly;
 * heap segments are copied through a per-thread scratch buffer. {@link #as}, {@link #asPerCpu}
 * and {@link #asQueue} give typed views.
 *
 * <p>All operations are thread-safe (the kernel serializes element access; BPF_F_LOCK makes
 * a lookup or update atomic with respect to programs). {@link #close()} is idempotent; using a
 * closed map throws {@link IllegalStateException}. Closing while another thread is inside an
 * operation is a race the caller must avoid.
 */
public final class BpfMap implements AutoCloseable {
    static {
        // jbcc-core's other packages reach the fd through Handles.of(this) (Fd is not exported).
        Handles.register(BpfMap.class, o -> o.fd);
    }

    /** Update flags: create or replace, create only, replace only. */
    public static final long ANY = BpfFlags.BPF_ANY, NOEXIST = BpfFlags.BPF_NOEXIST, EXIST = BpfFlags.BPF_EXIST;
    /** Lookup/update flag: copy the value under its {@code bpf_spin_lock} (needs BTF for the value). */
    public static final long F_LOCK = BpfFlags.BPF_F_LOCK;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());

    private final Fd fd;
    private final MapType type;
    private final String name;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int flags;
    private final int id;
    private final int cpus;
    private final int valueStride;
    private final int valueBufferSize;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean frozen;
    private volatile Path pinnedAt;

    /** Memory maps of this map; all unmapped together on close. Guarded by {@code this}. */
    private Arena mappings;
    private MemorySegment valueMapping;

    private BpfMap(Fd fd, MapInfo info) {
        this.fd = fd;
        this.type = MapType.of(info.type());
        this.name = info.name();
        this.keySize = info.keySize();
        this.valueSize = info.valueSize();
        this.maxEntries = info.maxEntries();
        this.flags = info.flags();
        this.id = info.id();
        this.cpus = type.isPerCpu() ? Cpus.possible() : 1;
        this.valueStride = type.isPerCpu() ? (valueSize + 7) & ~7 : valueSize;
        this.valueBufferSize = valueStride * cpus;
    }

    // ---- creating and opening ----

    /**
     * Creates a map shaped like {@code spec} and writes its {@link MapSpec#contents()}.
     * A perf event array with 0 max entries gets one per possible CPU; array/hash of maps need
     * {@link MapSpec#innerMap()}. Content keys and values may be {@code byte[]},
     * {@link MemorySegment}, {@link Integer} or {@link Long} (native order); fd-holding maps
     * take an {@link Integer} fd or a {@link BpfMap} as the value.
     *
     * @throws UnsupportedFeatureException if this kernel has no such map type
     * @throws SyscallException naming the spec fields the kernel rejected, or the missing privilege
     */
    public static BpfMap create(MapSpec spec) {
        return create(spec, null);
    }

    /**
     * Creates the map with its key and value types from {@code btf} (a loaded object BTF, or null),
     * so that bpftool and the verifier see typed maps (needed for spin locks and timers). A
     * kernel that refuses the BTF for this map type gets the map without it, as libbpf does.
     */
    static BpfMap create(MapSpec spec, Fd btf) {
        if (btf != null && spec.btfValueType() != 0) {
            try {
                return create(spec, btf, true);
            } catch (SyscallException e) {
                if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOTSUPP && e.errno() != Errno.EOPNOTSUPP) throw e;
            }
        }
        return create(spec, null, false);
    }

    private static BpfMap create(MapSpec spec, Fd btf, boolean withBtf) {
        int maxEntries = spec.maxEntries();
        if (spec.type() == MapType.PERF_EVENT_ARRAY && maxEntries == 0) maxEntries = Cpus.possible();
        Fd fd;
        try (Arena arena = Arena.ofConfined()) {
            var attr = new MapCreateAttr(arena).mapType(spec.type().value()).keySize(spec.keySize())
                    .valueSize(spec.valueSize()).maxEntries(maxEntries).mapFlags(spec.flags())
                    .mapExtra(spec.mapExtra()).mapName(KernelNames.of(spec.name())).numaNode(spec.numaNode());
            if (withBtf) attr.btf(btf, spec.btfKeyType(), spec.btfValueType());
            if (spec.type() == MapType.ARRAY_OF_MAPS || spec.type() == MapType.HASH_OF_MAPS) {
                if (spec.innerMap() == null)
                    throw new IllegalArgumentException("map '" + spec.name() + "' is a " + spec.type()
                            + " and needs an inner map shape: MapSpec.withInnerMap(...)");
                try (BpfMap inner = create(spec.innerMap().withContents(java.util.List.of()))) {
                    attr.innerMapFd(inner.fd);
                    fd = createFd(attr, spec, maxEntries);
                }
            } else {
                fd = createFd(attr, spec, maxEntries);
            }
        }
        BpfMap map;
        try {
            map = new BpfMap(fd, Bpf.mapInfo(fd));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
        try {
            for (MapSpec.Entry entry : spec.contents()) map.putContent(entry);
            return map;
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
    }

    private static Fd createFd(MapCreateAttr attr, MapSpec spec, int maxEntries) {
        try {
            return Bpf.mapCreate(attr);
        } catch (SyscallException e) {
            throw explainCreate(e, spec, maxEntries);
        }
    }

    private static BpfException explainCreate(SyscallException e, MapSpec spec, int maxEntries) {
        String shape = "map '" + spec.name() + "' (type " + spec.type() + ", key_size " + spec.keySize()
                + ", value_size " + spec.valueSize() + ", max_entries " + maxEntries + ", flags 0x"
                + Integer.toHexString(spec.flags()) + (spec.mapExtra() != 0 ? ", map_extra " + spec.mapExtra() : "") + ")";
        return switch (e.errno()) {
            case Errno.EINVAL, Errno.E2BIG, Errno.EOPNOTSUPP, Errno.ENOTSUPP -> {
                if (!Features.haveMapType(spec.type()))
                    yield new UnsupportedFeatureException("BPF_MAP_TYPE_" + spec.type(), spec.type().minimumKernel(), null);
                yield new SyscallException("BPF_MAP_CREATE", e.errno(), shape + " was rejected: " + createHint(spec));
            }
            case Errno.EPERM, Errno.EACCES -> new SyscallException("BPF_MAP_CREATE", e.errno(),
                    "creating " + shape + " was refused: " + Privileges.explainRefusal());
            case Errno.ENOMEM -> new SyscallException("BPF_MAP_CREATE", e.errno(), shape
                    + " does not fit in memory; lower max_entries (before Linux 5.11, also raise RLIMIT_MEMLOCK)");
            default -> new SyscallException("BPF_MAP_CREATE", e.errno(), shape);
        };
    }

    private static String createHint(MapSpec spec) {
        return switch (spec.type()) {
            case LPM_TRIE -> "an LPM trie needs flags BPF_F_NO_PREALLOC, key_size = 4 + prefix bytes, max_entries > 0";
            case QUEUE, STACK -> "queue and stack maps need key_size 0 and value_size > 0";
            case RINGBUF -> "a ring buffer needs key_size 0, value_size 0, max_entries a power-of-two multiple of the page size";
            case PERF_EVENT_ARRAY, PROG_ARRAY, ARRAY_OF_MAPS, HASH_OF_MAPS, CGROUP_ARRAY ->
                    "fd-holding maps need value_size 4";
            case STACK_TRACE -> "a stack trace map needs key_size 4 and value_size a multiple of 8";
            case ARRAY, PERCPU_ARRAY -> "array maps need key_size 4 and value_size > 0"
                    + ((spec.flags() & BpfFlags.BPF_F_MMAPABLE) != 0 ? " (BPF_F_MMAPABLE only suits ARRAY)" : "");
            default -> "check that key_size and value_size are non-zero, max_entries > 0 and the flags suit the type";
        };
    }

    /** Opens the map pinned at {@code path} on a bpf file system. */
    public static BpfMap openPinned(Path path) {
        Fd fd = Bpf.objGet(path.toString(), 0);
        BpfMap map = wrap(fd);
        map.pinnedAt = path;
        return map;
    }

    /** Opens the map with this kernel id (as listed by bpftool map or a map-in-map lookup). */
    public static BpfMap fromId(int id) {
        return wrap(Bpf.mapGetFdById(id));
    }

    /** Takes ownership of a map fd (closing it if it is not a map). */
    static BpfMap wrap(Fd fd) {
        try {
            return new BpfMap(fd, Bpf.mapInfo(fd));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    // ---- properties ----

    /**
     * A snapshot of the kernel's view of the map.
     *
     * @param btfId the id of the BTF object describing key and value, 0 if the map has none
     */
    public record Info(MapType type, int id, int keySize, int valueSize, int maxEntries, int flags, String name,
                       int btfId) {}

    /** Asks the kernel for the map's current description. */
    public Info info() {
        MapInfo i = Bpf.mapInfo(fd);
        return new Info(MapType.of(i.type()), i.id(), i.keySize(), i.valueSize(), i.maxEntries(), i.flags(), i.name(),
                i.btfId());
    }

    public MapType type() { return type; }

    /** The name as the kernel stores it (at most 15 bytes). */
    public String name() { return name; }

    public int keySize() { return keySize; }

    /** One value's size (for per-CPU maps: one CPU's). */
    public int valueSize() { return valueSize; }

    public int maxEntries() { return maxEntries; }

    public int flags() { return flags; }

    /** The kernel's id for this map. */
    public int id() { return id; }

    /** Bytes between per-CPU value slots: the value size rounded up to 8 (else the value size). */
    public int valueStride() { return valueStride; }

    /** Bytes a value buffer needs: {@link #valueStride()} times {@link #possibleCpus()} for per-CPU maps. */
    public int valueBufferSize() { return valueBufferSize; }

    /** Number of value slots per key: the possible CPUs for per-CPU maps, else 1. */
    public int possibleCpus() { return cpus; }

    /** The file descriptor number, valid until {@link #close()}. */
    public int fd() { return fd.raw(); }


    public boolean isClosed() { return closed.get(); }

    // ---- pinning and freezing ----

    /** Pins the map at {@code path}, which must be on a bpf file system and not exist yet. */
    public void pin(Path path) {
        Bpf.objPin(fd, path.toString());
        pinnedAt = path;
    }

    /** Removes the pin this map was pinned or opened at; does nothing if it has none. */
    public void unpin() {
        Path path = pinnedAt;
        if (path == null) return;
        BpfFs.unpin(path);
        pinnedAt = null;
    }

    /** Where the map is pinned, or null. */
    public Path pinnedPath() { return pinnedAt; }

    /**
     * Makes the map read-only for user space (5.2+); programs can still write unless it was
     * created with BPF_F_RDONLY_PROG. A later {@link #mmap()} maps it read-only.
     */
    public void freeze() {
        try {
            Bpf.mapFreeze(fd);
        } catch (SyscallException e) {
            if (e.errno() == Errno.EBUSY)
                throw new SyscallException("BPF_MAP_FREEZE", e.errno(),
                        "map '" + name + "' has a writable memory mapping; freeze before mmap()");
            if (e.errno() == Errno.EINVAL && !Features.haveMapFreeze())
                throw Feature.MAP_FREEZE.unsupported(null);
            throw e;
        }
        frozen = true;
    }

    // ---- byte-level element operations ----

    /** Copies the value for {@code key} into {@code value}; false if there is no such key. */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        return lookup(key, value, 0);
    }

    /** As {@link #lookup(MemorySegment, MemorySegment)} with flags (0 or {@link #F_LOCK}). */
    public boolean lookup(MemorySegment key, MemorySegment value, long flags) {
        checkKey(key);
        checkValue(value);
        if (key.isNative() && value.isNative()) return Bpf.mapLookupElem(fd, key, value, flags);
        MapScratch s = MapScratch.get(keySize, valueBufferSize);
        boolean found = Bpf.mapLookupElem(fd, s.key(key), s.value, flags);
        if (found) MemorySegment.copy(s.value, 0, value, 0, valueBufferSize);
        return found;
    }

    /** Creates or replaces the value for {@code key}. */
    public void update(MemorySegment key, MemorySegment value) {
        update(key, value, ANY);
    }

    /**
     * Writes the value for {@code key}.
     *
     * @param flags {@link #ANY}, {@link #NOEXIST} or {@link #EXIST}, optionally | {@link #F_LOCK}
     * @throws SyscallException EEXIST (NOEXIST and present), ENOENT (EXIST and absent), E2BIG
     *                          (full), EPERM (frozen or read-only), each with the map named
     */
    public void update(MemorySegment key, MemorySegment value, long flags) {
        checkKey(key);
        checkValue(value);
        int rc;
        if (key.isNative() && value.isNative()) {
            rc = Bpf.mapUpdateElemErrno(fd, key, value, flags);
        } else {
            MapScratch s = MapScratch.get(keySize, valueBufferSize);
            rc = Bpf.mapUpdateElemErrno(fd, s.key(key), s.value(value, valueBufferSize), flags);
        }
        if (rc < 0) throw updateError(-rc, flags);
    }

    /** Like {@link #update} with {@link #NOEXIST}, but returns false instead of throwing when the key exists. */
    public boolean insert(MemorySegment key, MemorySegment value) {
        checkKey(key);
        checkValue(value);
        int rc;
        if (key.isNative() && value.isNative()) {
            rc = Bpf.mapUpdateElemErrno(fd, key, value, NOEXIST);
        } else {
            MapScratch s = MapScratch.get(keySize, valueBufferSize);
            rc = Bpf.mapUpdateElemErrno(fd, s.key(key), s.value(value, valueBufferSize), NOEXIST);
        }
        if (rc == -Errno.EEXIST) return false;
        if (rc < 0) throw updateError(-rc, NOEXIST);
        return true;
    }

    private SyscallException updateError(int errno, long flags) {
        String detail = switch (errno) {
            case Errno.EEXIST -> "map '" + name + "' already has this key (update with NOEXIST)";
            case Errno.ENOENT -> (flags & EXIST) != 0 ? "map '" + name + "' has no such key (update with EXIST)"
                    : "map '" + name + "': no such key or referenced object";
            case Errno.E2BIG -> type == MapType.ARRAY || type == MapType.PERCPU_ARRAY || type == MapType.PROG_ARRAY
                    || type == MapType.ARRAY_OF_MAPS
                    ? "index out of range for map '" + name + "' (max_entries " + maxEntries + ")"
                    : "map '" + name + "' is full (max_entries " + maxEntries + ")";
            case Errno.EPERM -> frozen || (this.flags & BpfFlags.BPF_F_RDONLY) != 0
                    ? "map '" + name + "' is frozen or read-only for user space; programs may still write it"
                    : "map '" + name + "' refused the write: it may be frozen, or the process lacks CAP_BPF";
            case Errno.EBADF -> "map '" + name + "' only accepts valid map or program fds as values";
            case Errno.EINVAL -> "map '" + name + "' (" + type + ") rejected the update flags 0x" + Long.toHexString(flags)
                    + " or the value";
            default -> "map '" + name + "'";
        };
        return new SyscallException("BPF_MAP_UPDATE_ELEM", errno, detail);
    }

    /**
     * Deletes {@code key}; false if it was not there.
     *
     * @throws SyscallException EINVAL for array maps, whose elements always exist
     */
    public boolean delete(MemorySegment key) {
        checkKey(key);
        try {
            return Bpf.mapDeleteElem(fd, key.isNative() ? key : MapScratch.get(keySize, valueBufferSize).key(key));
        } catch (SyscallException e) {
            if (e.errno() == Errno.EINVAL)
                throw new SyscallException("BPF_MAP_DELETE_ELEM", e.errno(), "elements of map '" + name + "' ("
                        + type + ") cannot be deleted; overwrite them instead");
            throw e;
        }
    }

    /** Copies out and deletes the value for {@code key} (hash maps: 5.14+); false if absent. */
    public boolean lookupAndDelete(MemorySegment key, MemorySegment value) {
        checkKey(key);
        checkValue(value);
        if (key.isNative() && value.isNative()) return Bpf.mapLookupAndDeleteElem(fd, key, value, 0);
        MapScratch s = MapScratch.get(keySize, valueBufferSize);
        boolean found = Bpf.mapLookupAndDeleteElem(fd, s.key(key), s.value, 0);
        if (found) MemorySegment.copy(s.value, 0, value, 0, valueBufferSize);
        return found;
    }

    /**
     * Writes the key following {@code key} (null: the first key) into {@code next}.
     *
     * @return false when there is no next key
     */
    public boolean nextKey(MemorySegment key, MemorySegment next) {
        if (key != null) checkKey(key);
        checkKey(next);
        if ((key == null || key.isNative()) && next.isNative()) return Bpf.mapGetNextKey(fd, key, next);
        MapScratch s = MapScratch.get(keySize, keySize);
        MemorySegment k = key == null ? null : s.key(key);
        boolean found = Bpf.mapGetNextKey(fd, k, s.value);
        if (found) MemorySegment.copy(s.value, 0, next, 0, keySize);
        return found;
    }

    /**
     * Every key, each copied into a fresh heap segment. Keys deleted or added while iterating
     * may be skipped or seen; a hash map iteration restarts if the current key is deleted.
     */
    public Iterable<MemorySegment> keys() {
        return () -> new KeyIterator();
    }

    private final class KeyIterator implements Iterator<MemorySegment> {
        private final MemorySegment current = Arena.ofAuto().allocate(Math.max(keySize, 1), 8);
        private final MemorySegment next = Arena.ofAuto().allocate(Math.max(keySize, 1), 8);
        private boolean started, fetched, hasNext;

        @Override
        public boolean hasNext() {
            if (!fetched) {
                hasNext = Bpf.mapGetNextKey(fd, started ? current : null, next);
                fetched = true;
            }
            return hasNext;
        }

        @Override
        public MemorySegment next() {
            if (!hasNext()) throw new NoSuchElementException();
            MemorySegment.copy(next, 0, current, 0, keySize);
            started = true;
            fetched = false;
            byte[] copy = new byte[keySize];
            MemorySegment.copy(current, ValueLayout.JAVA_BYTE, 0, copy, 0, keySize);
            return MemorySegment.ofArray(copy);
        }
    }

    // ---- queue and stack ----

    /** Queue/stack push; when full, {@code overwriteOldest} evicts the oldest element instead of failing with E2BIG. */
    public void push(MemorySegment value, boolean overwriteOldest) {
        checkValue(value);
        long flags = overwriteOldest ? EXIST : ANY;
        int rc = Bpf.mapUpdateElemErrno(fd, null,
                value.isNative() ? value : MapScratch.get(0, valueBufferSize).value(value, valueBufferSize), flags);
        if (rc < 0) throw updateError(-rc, flags);
    }

    /** Queue/stack pop into {@code value}; false if empty. */
    public boolean pop(MemorySegment value) {
        checkValue(value);
        if (value.isNative()) return Bpf.mapLookupAndDeleteElem(fd, null, value, 0);
        MapScratch s = MapScratch.get(0, valueBufferSize);
        boolean found = Bpf.mapLookupAndDeleteElem(fd, null, s.value, 0);
        if (found) MemorySegment.copy(s.value, 0, value, 0, valueBufferSize);
        return found;
    }

    /** Queue/stack peek into {@code value}; false if empty. */
    public boolean peek(MemorySegment value) {
        checkValue(value);
        if (value.isNative()) return Bpf.mapLookupElem(fd, null, value, 0);
        MapScratch s = MapScratch.get(0, valueBufferSize);
        boolean found = Bpf.mapLookupElem(fd, null, s.value, 0);
        if (found) MemorySegment.copy(s.value, 0, value, 0, valueBufferSize);
        return found;
    }

    // ---- maps holding fds ----

    /** Stores a program or map fd (prog arrays, maps of maps, perf event arrays...) under {@code key}. */
    public void putFd(MemorySegment key, int objectFd) {
        if (!type.holdsFds()) throw new IllegalStateException("map '" + name + "' (" + type + ") does not hold fds");
        MapScratch s = MapScratch.get(keySize, 4);
        s.value.set(U32, 0, objectFd);
        int rc = Bpf.mapUpdateElemErrno(fd, s.key(checkKey(key)), s.value, ANY);
        if (rc < 0) throw updateError(-rc, ANY);
    }

    /** {@link #putFd(MemorySegment, int)} with a 4-byte index key. */
    public void putFd(int index, int objectFd) {
        putFd(indexKey(index), objectFd);
    }

    /** Stores an inner map in an array or hash of maps. */
    public void putMap(MemorySegment key, BpfMap inner) {
        putFd(key, inner.fd());
    }

    public void putMap(int index, BpfMap inner) {
        putFd(indexKey(index), inner.fd());
    }

    /** The id of the program or map stored under {@code key} (what the kernel returns for fd-holding maps). */
    public OptionalInt lookupId(MemorySegment key) {
        if (!type.holdsFds()) throw new IllegalStateException("map '" + name + "' (" + type + ") does not hold fds");
        MapScratch s = MapScratch.get(keySize, 4);
        return Bpf.mapLookupElem(fd, s.key(checkKey(key)), s.value, 0) ? OptionalInt.of(s.value.get(U32, 0)) : OptionalInt.empty();
    }

    public OptionalInt lookupId(int index) {
        return lookupId(indexKey(index));
    }

    private MemorySegment indexKey(int index) {
        if (keySize != 4) throw new IllegalStateException("map '" + name + "' has " + keySize + "-byte keys, not indexes");
        return MemorySegment.ofArray(new int[] {index});
    }

    // ---- batch operations ----

    /**
     * Position of a batch iteration over the map (5.6+): opaque to the caller. Create one per
     * pass with {@link #batchCursor()}; {@link #done()} turns true once the last batch is read.
     */
    public final class BatchCursor {
        private final Arena arena = Arena.ofAuto();
        private final MemorySegment in = arena.allocate(Math.max(keySize, 8), 8);
        private final MemorySegment out = arena.allocate(Math.max(keySize, 8), 8);
        private boolean started, done;

        private BatchCursor() {}

        public boolean done() { return done; }
    }

    public BatchCursor batchCursor() {
        return new BatchCursor();
    }

    /**
     * Reads up to {@code count} entries into {@code keys} ({@code count * keySize} bytes) and
     * {@code values} ({@code count * valueBufferSize} bytes), native segments.
     *
     * @return entries read; 0 with {@code cursor.done()} at the end
     * @throws SyscallException ENOSPC if {@code count} is smaller than a hash bucket: raise it
     */
    public int lookupBatch(BatchCursor cursor, MemorySegment keys, MemorySegment values, int count) {
        return batchRead(false, cursor, keys, values, count);
    }

    /** As {@link #lookupBatch}, deleting the entries it returns. */
    public int lookupAndDeleteBatch(BatchCursor cursor, MemorySegment keys, MemorySegment values, int count) {
        return batchRead(true, cursor, keys, values, count);
    }

    private int batchRead(boolean delete, BatchCursor cursor, MemorySegment keys, MemorySegment values, int count) {
        if (cursor.done) return 0;
        checkBatch(keys, values, count);
        Bpf.BatchResult r;
        try {
            r = delete ? Bpf.mapLookupAndDeleteBatch(fd, cursor.started ? cursor.in : null, cursor.out, keys, values, count, 0)
                    : Bpf.mapLookupBatch(fd, cursor.started ? cursor.in : null, cursor.out, keys, values, count, 0);
        } catch (SyscallException e) {
            throw batchError(e, count);
        }
        MemorySegment.copy(cursor.out, 0, cursor.in, 0, cursor.in.byteSize());
        cursor.started = true;
        cursor.done = r.done();
        return r.count();
    }

    /** Writes {@code count} key/value pairs (5.6+); returns how many were written. */
    public int updateBatch(MemorySegment keys, MemorySegment values, int count, long flags) {
        checkBatch(keys, values, count);
        try {
            return Bpf.mapUpdateBatch(fd, keys, values, count, flags);
        } catch (SyscallException e) {
            throw batchError(e, count);
        }
    }

    /** Deletes {@code count} keys (5.6+); returns how many were deleted. */
    public int deleteBatch(MemorySegment keys, int count) {
        checkBatch(keys, null, count);
        try {
            return Bpf.mapDeleteBatch(fd, keys, count, 0);
        } catch (SyscallException e) {
            throw batchError(e, count);
        }
    }

    private BpfException batchError(SyscallException e, int count) {
        return switch (e.errno()) {
            case Errno.ENOSPC -> new SyscallException(e.operation(), e.errno(),
                    "a hash bucket of map '" + name + "' holds more than " + count + " entries; pass a larger count");
            case Errno.EINVAL, Errno.ENOTSUPP, Errno.EOPNOTSUPP -> Features.haveBatchOps()
                    ? new SyscallException(e.operation(), e.errno(), "map '" + name + "' (" + type
                        + ") does not support this batch operation: " + e.getMessage())
                    : Feature.BATCH_OPS.unsupported("use element operations");
            default -> new SyscallException(e.operation(), e.errno(), "map '" + name + "': " + e.getMessage());
        };
    }

    private void checkBatch(MemorySegment keys, MemorySegment values, int count) {
        if (count <= 0) throw new IllegalArgumentException("batch count must be positive, got " + count);
        if (!keys.isNative() || (values != null && !values.isNative()))
            throw new IllegalArgumentException("batch buffers must be native memory (allocate them from an Arena)");
        if (keys.byteSize() < (long) count * keySize)
            throw new IllegalArgumentException("keys holds " + keys.byteSize() + " bytes, " + count + " keys of map '"
                    + name + "' need " + (long) count * keySize);
        if (values != null && values.byteSize() < (long) count * valueBufferSize)
            throw new IllegalArgumentException("values holds " + values.byteSize() + " bytes, " + count
                    + " values of map '" + name + "' need " + (long) count * valueBufferSize);
    }

    // ---- memory mapping ----

    /**
     * The values of a BPF_F_MMAPABLE array, mapped into this process: element {@code i} is at
     * {@code i * roundUp(valueSize, 8)}. Writes through the segment are visible to programs and
     * lookups at once. Read-only if the map is frozen (e.g. {@code .rodata}). Unmapped when the
     * map is closed; later access throws {@link IllegalStateException}.
     */
    public synchronized MemorySegment mmap() {
        if (valueMapping != null) return valueMapping;
        if ((flags & BpfFlags.BPF_F_MMAPABLE) == 0)
            throw new IllegalStateException("map '" + name + "' was not created with BPF_F_MMAPABLE, so it cannot be mmap()ed");
        long length = (long) ((valueSize + 7) & ~7) * maxEntries;
        MemorySegment segment;
        if (frozen) {
            segment = mmap(0, length, false);
        } else {
            try {
                segment = mmap(0, length, true);
            } catch (SyscallException e) {
                // A map frozen by someone else (or opened read-only) can still be mapped for reading.
                if (e.errno() != Errno.EPERM && e.errno() != Errno.EACCES) throw e;
                segment = mmap(0, length, false);
            }
        }
        valueMapping = segment;
        return segment;
    }

    /**
     * Maps {@code length} bytes of the map at {@code offset} (ring buffers: consumer page at 0,
     * writable; producer page and data after it, read-only). Unmapped when the map is closed.
     */
    @SuppressWarnings("restricted") // the mapping's length is what we asked mmap for
    public synchronized MemorySegment mmap(long offset, long length, boolean writable) {
        if (closed.get()) throw new IllegalStateException("map '" + name + "' is closed");
        long pageSize = Libc.pageSize();
        long mappedLength = (length + pageSize - 1) / pageSize * pageSize;
        MemorySegment addr = Libc.mmap(mappedLength, Libc.PROT_READ | (writable ? Libc.PROT_WRITE : 0),
                Libc.MAP_SHARED, fd.raw(), offset, "mmap of map '" + name + "'");
        if (mappings == null) mappings = Arena.ofShared();
        MemorySegment segment = addr.reinterpret(length, mappings, s -> Libc.retire(s, mappedLength));
        return writable ? segment : segment.asReadOnly();
    }

    // ---- typed views ----

    /** A typed view with java.util.Map-like methods; codec sizes must equal the key and value sizes. */
    public <K, V> TypedMap<K, V> as(Codec<K> keys, Codec<V> values) {
        if (type.isPerCpu())
            throw new IllegalStateException("map '" + name + "' is per-CPU (" + type + "): use asPerCpu");
        checkCodec("key", keys, keySize);
        checkCodec("value", values, valueSize);
        return new TypedMap<>(this, keys, values);
    }

    /** A typed view of a per-CPU map: one value per possible CPU. */
    public <K, V> PerCpuMap<K, V> asPerCpu(Codec<K> keys, Codec<V> values) {
        if (!type.isPerCpu()) throw new IllegalStateException("map '" + name + "' (" + type + ") is not per-CPU: use as");
        checkCodec("key", keys, keySize);
        checkCodec("value", values, valueSize);
        return new PerCpuMap<>(this, keys, values);
    }

    /** A typed view of a queue or stack map. */
    public <V> TypedQueue<V> asQueue(Codec<V> values) {
        if (type != MapType.QUEUE && type != MapType.STACK)
            throw new IllegalStateException("map '" + name + "' (" + type + ") is not a queue or stack");
        checkCodec("value", values, valueSize);
        return new TypedQueue<>(this, values);
    }

    private void checkCodec(String what, Codec<?> codec, int size) {
        if (codec.size() != size)
            throw new IllegalArgumentException(what + " codec " + codec + " encodes " + codec.size() + " bytes but map '"
                    + name + "' has " + size + "-byte " + what + "s");
    }

    // ---- helpers ----

    private MemorySegment checkKey(MemorySegment key) {
        if (key.byteSize() < keySize)
            throw new IllegalArgumentException("key is " + key.byteSize() + " bytes, map '" + name + "' needs " + keySize);
        return key;
    }

    private void checkValue(MemorySegment value) {
        if (value.byteSize() < valueBufferSize)
            throw new IllegalArgumentException("value buffer is " + value.byteSize() + " bytes, map '" + name + "' needs "
                    + valueBufferSize + (type.isPerCpu() ? " (" + valueStride + " per CPU x " + cpus + " possible CPUs)" : ""));
    }

    private void putContent(MapSpec.Entry entry) {
        MemorySegment key = bytesOf(entry.key(), keySize, "key");
        if (type.holdsFds()) {
            int objectFd = entry.value() instanceof BpfMap m ? m.fd()
                    : entry.value() instanceof Integer i ? i
                    : contentError(entry.value(), "an Integer fd or a BpfMap");
            putFd(key, objectFd);
        } else {
            update(key, bytesOf(entry.value(), valueBufferSize, "value"));
        }
    }

    private MemorySegment bytesOf(Object o, int size, String what) {
        MemorySegment segment = switch (o) {
            case byte[] b -> MemorySegment.ofArray(b);
            case MemorySegment s -> s;
            case Integer i -> MemorySegment.ofArray(new int[] {i});
            case Long l -> MemorySegment.ofArray(new long[] {l});
            case null, default -> contentError(o, "byte[], MemorySegment, Integer or Long");
        };
        if (segment.byteSize() == size) return segment;
        if (segment.byteSize() > size)
            throw new IllegalArgumentException("content " + what + " of map '" + name + "' is " + segment.byteSize()
                    + " bytes; the map's " + what + "s are " + size);
        // Shorter initial values (a section smaller than the value) are zero-extended.
        MemorySegment padded = MemorySegment.ofArray(new byte[size]);
        MemorySegment.copy(segment, 0, padded, 0, segment.byteSize());
        return padded;
    }

    private <T> T contentError(Object o, String expected) {
        throw new IllegalArgumentException("map '" + name + "' content " + (o == null ? "null" : o.getClass().getName())
                + " cannot be written; expected " + expected + " (the loader resolves named objects)");
    }

    /** Unmaps any memory mappings, then closes the fd; later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        synchronized (this) {
            if (mappings != null) {
                // A shared arena refuses to close while another thread is mid-access; that
                // window is short, so wait it out rather than leak the mapping.
                while (true) {
                    try {
                        mappings.close();
                        break;
                    } catch (IllegalStateException busy) {
                        Thread.onSpinWait();
                    }
                }
                mappings = null;
                valueMapping = null;
            }
        }
        fd.close();
    }

    @Override
    public String toString() {
        return "BpfMap[" + type + " '" + name + "' id " + id + (closed.get() ? ", closed" : "") + "]";
    }
}
