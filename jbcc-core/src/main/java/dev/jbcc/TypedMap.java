package dev.jbcc;


import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A map seen through key and value {@link Codec}s, in the spirit of {@link java.util.Map}.
 * Thread-safe; each call is one or a few syscalls, and iteration reflects concurrent changes
 * loosely (keys may be missed or repeated if the map changes meanwhile).
 */
public final class TypedMap<K, V> extends KeyedMapView<K> {
    private final Codec<V> values;

    TypedMap(BpfMap map, Codec<K> keys, Codec<V> values) {
        super(map, keys);
        this.values = values;
    }

    /** The value for {@code key}, or null. */
    public V get(K key) {
        return get(key, 0);
    }

    /** The value for {@code key} read with flags (0 or {@link BpfMap#F_LOCK}), or null. */
    public V get(K key, long flags) {
        MapScratch s = encodeKey(key);
        return map.lookup(s.key, s.value, flags) ? values.decode(s.value) : null;
    }

    /** Creates or replaces the value for {@code key}. */
    public void put(K key, V value) {
        put(key, value, BpfMap.ANY);
    }

    /**
     * Writes with update flags ({@link BpfMap#ANY}, {@link BpfMap#NOEXIST}, {@link BpfMap#EXIST},
     * optionally | {@link BpfMap#F_LOCK}).
     */
    public void put(K key, V value, long flags) {
        MapScratch s = encodeKey(key);
        values.encode(value, s.value);
        map.update(s.key, s.value, flags);
    }

    /** Writes only if {@code key} is absent (BPF_NOEXIST, atomic in the kernel); false if it was present. */
    public boolean putIfAbsent(K key, V value) {
        MapScratch s = encodeKey(key);
        values.encode(value, s.value);
        return map.insert(s.key, s.value);
    }

    /** Reads and deletes the value for {@code key} (hash maps: 5.14+), or null if absent. */
    public V getAndRemove(K key) {
        MapScratch s = encodeKey(key);
        return map.lookupAndDelete(s.key, s.value) ? values.decode(s.value) : null;
    }

    /** A snapshot of the entries; keys deleted during the walk are left out. */
    public List<Map.Entry<K, V>> entries() {
        var out = new ArrayList<Map.Entry<K, V>>();
        forEach((k, v) -> out.add(new AbstractMap.SimpleImmutableEntry<>(k, v)));
        return out;
    }

    /** Calls {@code action} for each entry; the action may delete the key it is given. */
    public void forEach(BiConsumer<? super K, ? super V> action) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Math.max(map.valueBufferSize(), 1), 8);
            forEachRawKey(rawKey -> {
                if (map.lookup(rawKey, value))
                    action.accept(keys.decode(rawKey), values.decode(value));
            });
        }
    }
}
