package dev.jbcc;


import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** What typed views share: key encoding, iteration and deletion. */
abstract sealed class KeyedMapView<K> permits TypedMap, PerCpuMap {
    final BpfMap map;
    final Codec<K> keys;

    KeyedMapView(BpfMap map, Codec<K> keys) {
        this.map = map;
        this.keys = keys;
    }

    /** The underlying map. */
    public BpfMap map() {
        return map;
    }

    MapScratch encodeKey(K key) {
        MapScratch s = MapScratch.get(map.keySize(), map.valueBufferSize());
        keys.encode(key, s.key);
        return s;
    }

    /** True if the map has {@code key} (for arrays: if it is in range). */
    public boolean containsKey(K key) {
        MapScratch s = encodeKey(key);
        return map.lookup(s.key, s.value);
    }

    /** Deletes {@code key}; false if absent. Array maps cannot delete and throw. */
    public boolean remove(K key) {
        return map.delete(encodeKey(key).key);
    }

    /** A snapshot of the keys, in the kernel's iteration order. */
    public List<K> keys() {
        var out = new ArrayList<K>();
        forEachRawKey(k -> out.add(keys.decode(k)));
        return out;
    }

    /** Number of keys, by iterating (the kernel keeps no count). */
    public int size() {
        int[] n = {0};
        forEachRawKey(_ -> n[0]++);
        return n[0];
    }

    /** Deletes every key. Array maps, whose elements always exist, throw. */
    public void clear() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(Math.max(map.keySize(), 1), 8);
            // Always delete the first key: deleting while walking would restart the walk anyway.
            while (map.nextKey(null, key)) map.delete(key);
        }
    }

    /**
     * Calls {@code action} with each key in a buffer valid only during the call. The next key
     * is fetched before the call, so the action may delete the key it is given.
     */
    void forEachRawKey(Consumer<MemorySegment> action) {
        int keySize = Math.max(map.keySize(), 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = arena.allocate(keySize, 8), next = arena.allocate(keySize, 8);
            if (!map.nextKey(null, next)) return;
            while (true) {
                MemorySegment.copy(next, 0, current, 0, keySize);
                boolean more = map.nextKey(current, next);
                action.accept(current);
                if (!more) return;
            }
        }
    }
}
