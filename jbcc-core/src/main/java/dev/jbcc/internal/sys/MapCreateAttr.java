package dev.jbcc.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.jbcc.internal.sys.BpfAttr.MapCreate.*;
import static dev.jbcc.internal.sys.BpfAttr.U32;
import static dev.jbcc.internal.sys.BpfAttr.U64;

/**
 * The BPF_MAP_CREATE attr, filled through setters; unset fields stay zero (which the kernel
 * reads as "none"/"default"). Not thread-safe; lives as long as the arena it was allocated in.
 */
public final class MapCreateAttr {
    final MemorySegment segment;

    public MapCreateAttr(Arena arena) {
        segment = arena.allocate(BpfAttr.UNION_SIZE, 8);
    }

    /** {@code enum bpf_map_type} value. */
    public MapCreateAttr mapType(int type) { segment.set(U32, MAP_TYPE, type); return this; }

    public MapCreateAttr keySize(int size) { segment.set(U32, KEY_SIZE, size); return this; }

    /** One value's size; for per-CPU maps one CPU's value (the kernel rounds each to 8 bytes). */
    public MapCreateAttr valueSize(int size) { segment.set(U32, VALUE_SIZE, size); return this; }

    public MapCreateAttr maxEntries(int n) { segment.set(U32, MAX_ENTRIES, n); return this; }

    /** BPF_F_* flags ({@code map_flags}). */
    public MapCreateAttr mapFlags(int flags) { segment.set(U32, MAP_FLAGS, flags); return this; }

    /** For ARRAY_OF_MAPS/HASH_OF_MAPS: a map with the inner maps' shape. */
    public MapCreateAttr innerMapFd(Fd inner) { segment.set(U32, INNER_MAP_FD, inner.raw()); return this; }

    /** NUMA node (only read with BPF_F_NUMA_NODE in the flags). */
    public MapCreateAttr numaNode(int node) { segment.set(U32, NUMA_NODE, node); return this; }

    /** The name (kernel 4.15+): at most 15 of [A-Za-z0-9_.]; longer names are cut. */
    public MapCreateAttr mapName(String name) { Mem.putName(segment, MAP_NAME, name, 16); return this; }

    /** Offload target interface, 0 for none. */
    public MapCreateAttr mapIfindex(int ifindex) { segment.set(U32, MAP_IFINDEX, ifindex); return this; }

    /** BTF describing key and value: the BTF object fd and the type ids in it. */
    public MapCreateAttr btf(Fd btf, int keyTypeId, int valueTypeId) {
        segment.set(U32, BTF_FD, btf.raw());
        segment.set(U32, BTF_KEY_TYPE_ID, keyTypeId);
        segment.set(U32, BTF_VALUE_TYPE_ID, valueTypeId);
        return this;
    }

    /** For STRUCT_OPS maps: the kernel struct's type id in vmlinux BTF. */
    public MapCreateAttr btfVmlinuxValueTypeId(int id) { segment.set(U32, BTF_VMLINUX_VALUE_TYPE_ID, id); return this; }

    /** Type-specific extra (bloom filter: number of hash functions; arena: user address). */
    public MapCreateAttr mapExtra(long extra) { segment.set(U64, MAP_EXTRA, extra); return this; }

    /** The struct_ops value type's module BTF fd, when it lives in a module. */
    public MapCreateAttr valueTypeBtfObjFd(Fd btf) { segment.set(U32, VALUE_TYPE_BTF_OBJ_FD, btf.raw()); return this; }

    public MemorySegment segment() {
        return segment;
    }
}
