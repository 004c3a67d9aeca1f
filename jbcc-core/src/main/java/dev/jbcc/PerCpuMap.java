package dev.jbcc;


import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;

/**
 * A per-CPU map seen through codecs: each key has one value per possible CPU (index = CPU
 * number), each in an 8-byte aligned slot. Thread-safe.
 */
public final class PerCpuMap<K, V> extends KeyedMapView<K> {
    private final Codec<V> values;

    PerCpuMap(BpfMap map, Codec<K> keys, Codec<V> values) {
        super(map, keys);
        this.values = values;
    }

    /** Number of values per key. */
    public int possibleCpus() {
        return map.possibleCpus();
    }

    /** The values for {@code key}, one per possible CPU, or null if absent. */
    public List<V> get(K key) {
        MapScratch s = encodeKey(key);
        return map.lookup(s.key, s.value) ? decodeAll(s.value) : null;
    }

    private List<V> decodeAll(MemorySegment buffer) {
        int n = map.possibleCpus(), stride = map.valueStride();
        var out = new ArrayList<V>(n);
        for (int cpu = 0; cpu < n; cpu++) out.add(values.decode(buffer.asSlice((long) cpu * stride, values.size())));
        return Collections.unmodifiableList(out);
    }

    /** Writes one value per possible CPU. */
    public void put(K key, List<? extends V> perCpu) {
        if (perCpu.size() != map.possibleCpus())
            throw new IllegalArgumentException(perCpu.size() + " values given, map '" + map.name() + "' needs one per possible CPU ("
                    + map.possibleCpus() + ")");
        MapScratch s = encodeKey(key);
        int stride = map.valueStride();
        s.value.asSlice(0, map.valueBufferSize()).fill((byte) 0);
        for (int cpu = 0; cpu < perCpu.size(); cpu++) values.encode(perCpu.get(cpu), s.value.asSlice((long) cpu * stride));
        write(s);
    }

    /** Writes the same value for every CPU (e.g. zero to reset a counter). */
    public void putAllCpus(K key, V value) {
        MapScratch s = encodeKey(key);
        int stride = map.valueStride();
        s.value.asSlice(0, map.valueBufferSize()).fill((byte) 0);
        for (int cpu = 0; cpu < map.possibleCpus(); cpu++) values.encode(value, s.value.asSlice((long) cpu * stride));
        write(s);
    }

    private void write(MapScratch s) {
        map.update(s.key, s.value, BpfMap.ANY);
    }

    /** The sum over CPUs of {@code field} of each value; 0 if the key is absent. */
    public long sum(K key, ToLongFunction<? super V> field) {
        List<V> all = get(key);
        if (all == null) return 0;
        long total = 0;
        for (V v : all) total += field.applyAsLong(v);
        return total;
    }

    /**
     * The sum over CPUs of numeric values; 0 if the key is absent.
     *
     * @throws ClassCastException if the values are not {@link Number}s
     */
    public long sum(K key) {
        return sum(key, v -> ((Number) v).longValue());
    }

    /** Calls {@code action} with each key and its per-CPU values. */
    public void forEach(BiConsumer<? super K, ? super List<V>> action) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(map.valueBufferSize(), 8);
            forEachRawKey(rawKey -> {
                if (map.lookup(rawKey, buffer)) action.accept(keys.decode(rawKey), decodeAll(buffer));
            });
        }
    }
}
