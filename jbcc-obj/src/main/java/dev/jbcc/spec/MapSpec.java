package dev.jbcc.spec;


import java.util.List;
import java.util.Objects;

/**
 * What a map should look like, as an ELF object or the caller describes it; kernel-independent.
 * Create instances with {@link #of} and the {@code withX} copiers, so that new properties do not
 * break callers.
 *
 * @param name       the map's name (the kernel keeps the first 15 bytes)
 * @param type       the kernel map type
 * @param keySize    key size in bytes (0 for queue, stack, ringbuf)
 * @param valueSize  value size in bytes (for per-CPU maps: one CPU's value)
 * @param maxEntries capacity (for ringbuf: the size in bytes, a power-of-two multiple of the page size)
 * @param flags      BPF_F_* map flags
 * @param mapExtra   map_extra (bloom filter hash count)
 * @param pinning    whether a loader pins the map by name under a bpffs path
 * @param innerMap   for array/hash of maps: the inner map's shape, else null
 * @param contents   initial entries written after creation (global data, prog arrays from the ELF)
 * @param numaNode   the NUMA node to allocate on ({@code BPF_F_NUMA_NODE} in flags), else 0
 * @param btfKeyType   id of the key's type in the object's BTF ({@code btf_key_type_id}), 0 if none
 * @param btfValueType id of the value's type in the object's BTF ({@code btf_value_type_id}), 0 if none
 */
public record MapSpec(String name, MapType type, int keySize, int valueSize, int maxEntries, int flags,
                      long mapExtra, Pinning pinning, MapSpec innerMap, List<Entry> contents,
                      int numaNode, int btfKeyType, int btfValueType) {

    public enum Pinning { NONE, BY_NAME }

    /**
     * An initial key/value pair. From an ELF object: global data has key {@code Integer 0} and a
     * {@code byte[]} value (the section bytes); a program array or map-in-map has {@code Integer}
     * slot keys and {@code String} values naming the program or inner map to put there.
     */
    public record Entry(Object key, Object value) {}

    public MapSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(pinning, "pinning");
        contents = List.copyOf(contents);
    }

    /** The original ten components; NUMA node and BTF type ids are 0. */
    public MapSpec(String name, MapType type, int keySize, int valueSize, int maxEntries, int flags,
                   long mapExtra, Pinning pinning, MapSpec innerMap, List<Entry> contents) {
        this(name, type, keySize, valueSize, maxEntries, flags, mapExtra, pinning, innerMap, contents, 0, 0, 0);
    }

    public static MapSpec of(String name, MapType type, int keySize, int valueSize, int maxEntries) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, 0, 0, Pinning.NONE, null, List.of());
    }

    public MapSpec withNumaNode(int numaNode) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, mapExtra, pinning, innerMap, contents,
                numaNode, btfKeyType, btfValueType);
    }

    /** The key and value type ids in the BTF the map is created with (0 for none). */
    public MapSpec withBtfTypes(int btfKeyType, int btfValueType) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, mapExtra, pinning, innerMap, contents,
                numaNode, btfKeyType, btfValueType);
    }

    public MapSpec withName(String name) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, mapExtra, pinning, innerMap, contents,
                numaNode, btfKeyType, btfValueType);
    }

    public MapSpec withFlags(int flags) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, mapExtra, pinning, innerMap, contents,
                numaNode, btfKeyType, btfValueType);
    }

    public MapSpec withMapExtra(long mapExtra) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, mapExtra, pinning, innerMap, contents,
                numaNode, btfKeyType, btfValueType);
    }

    public MapSpec withPinning(Pinning pinning) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, mapExtra, pinning, innerMap, contents,
                numaNode, btfKeyType, btfValueType);
    }

    public MapSpec withInnerMap(MapSpec innerMap) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, mapExtra, pinning, innerMap, contents,
                numaNode, btfKeyType, btfValueType);
    }

    public MapSpec withContents(List<Entry> contents) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, mapExtra, pinning, innerMap, contents,
                numaNode, btfKeyType, btfValueType);
    }

    public MapSpec withMaxEntries(int maxEntries) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, mapExtra, pinning, innerMap, contents,
                numaNode, btfKeyType, btfValueType);
    }
}
