package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A table of keys and leaves: bcc's mutable mapping. {@code L} is {@link Value} for ordinary
 * tables and {@code List<Value>} (one leaf per possible CPU) for per-CPU ones.
 *
 * <p>{@link #keys()}, {@link #values()} and {@link #items()} walk the map with get_next_key as
 * bcc does, skipping keys deleted meanwhile; the batch methods use the kernel's batch
 * operations (5.6+). Arrays take negative indexes from the end, and deleting an array element
 * zeroes it.
 *
 * @param <L> how a leaf is handed out
 */
public abstract sealed class KeyedTable<L> extends Table
        permits ValueTable, PerCpuTable {

    KeyedTable(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    abstract L decodeLeaf(MemorySegment buffer);

    abstract void encodeLeaf(L leaf, MemorySegment buffer);

    /** A count a histogram shows for a leaf (per-CPU: the sum). */
    abstract long count(L leaf);

    /** Whether elements always exist (arrays): delete zeroes and indexes may count from the end. */
    boolean isArray() {
        return false;
    }

    Value normalize(Value key) {
        checkKey(key);
        return key;
    }

    // ---- element access ----

    /** The leaf for {@code key}, or null if there is none (bcc raises KeyError). */
    public L get(Value key) {
        Value k = normalize(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Math.max(map.valueBufferSize(), 1), 8);
            if (!map.lookup(k.segment(), value)) return null;
            return decodeLeaf(value);
        }
    }

    /** {@link #get(Value)} with an integer key. */
    public L get(long key) {
        return get(indexKey(key));
    }

    /** Whether {@code key} has a leaf. */
    public boolean containsKey(Value key) {
        return get(key) != null;
    }

    /** Creates or replaces the leaf for {@code key} (bcc's {@code table[k] = v}). */
    public void put(Value key, L leaf) {
        Value k = normalize(key);
        Objects.requireNonNull(leaf, "leaf");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Math.max(map.valueBufferSize(), 1), 8);
            encodeLeaf(leaf, value);
            map.update(k.segment(), value, BpfMap.ANY);
        }
    }

    /** Removes {@code key}; on arrays, zeroes the element. False if the key was not there. */
    public boolean delete(Value key) {
        Value k = normalize(key);
        if (isArray()) {
            try (Arena arena = Arena.ofConfined()) {
                map.update(k.segment(), arena.allocate(Math.max(map.valueBufferSize(), 1), 8), BpfMap.ANY);
            }
            return true;
        }
        return map.delete(k.segment());
    }

    public boolean delete(long key) {
        return delete(indexKey(key));
    }

    Value indexKey(long key) {
        if (isArray() && key < 0) key += map.maxEntries();
        return key(key);
    }

    // ---- walking ----

    /** Every key, by get_next_key. */
    public List<Value> keys() {
        List<Value> out = new ArrayList<>();
        for (MemorySegment k : map.keys()) out.add(Value.copyOf(keyType, k));
        return out;
    }

    /** Every leaf (of the keys still present when read). */
    public List<L> values() {
        List<L> out = new ArrayList<>();
        for (Map.Entry<Value, L> e : items()) out.add(e.getValue());
        return out;
    }

    /** Every key with its leaf, in the kernel's iteration order. */
    public List<Map.Entry<Value, L>> items() {
        List<Map.Entry<Value, L>> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Math.max(map.valueBufferSize(), 1), 8);
            for (MemorySegment k : map.keys()) {
                // A key deleted between the walk and the lookup is skipped, as bcc does.
                if (map.lookup(k, value)) out.add(new AbstractMap.SimpleImmutableEntry<>(Value.copyOf(keyType, k), decodeLeaf(value)));
            }
        }
        return out;
    }

    /** How many keys there are (arrays: max_entries). */
    public int size() {
        if (isArray()) return map.maxEntries();
        int n = 0;
        for (MemorySegment ignored : map.keys()) n++;
        return n;
    }

    /** Deletes every key (arrays: zeroes every element). */
    public void clear() {
        for (Value k : keys()) delete(k);
    }

    /** Sets every present key's leaf to zero. */
    public void zero() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zero = arena.allocate(Math.max(map.valueBufferSize(), 1), 8);
            for (Value k : keys()) map.update(k.segment(), zero, BpfMap.ANY);
        }
    }

    // ---- batch operations (5.6+) ----

    /** All entries through BPF_MAP_LOOKUP_BATCH. */
    public List<Map.Entry<Value, L>> itemsLookupBatch() {
        return batchRead(false);
    }

    /** All entries through BPF_MAP_LOOKUP_AND_DELETE_BATCH: read and removed in one pass. */
    public List<Map.Entry<Value, L>> itemsLookupAndDeleteBatch() {
        return batchRead(true);
    }

    private List<Map.Entry<Value, L>> batchRead(boolean delete) {
        int capacity = Math.max(map.maxEntries(), 1);
        List<Map.Entry<Value, L>> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment keys = arena.allocate((long) capacity * map.keySize(), 8);
            MemorySegment values = arena.allocate((long) capacity * map.valueBufferSize(), 8);
            BpfMap.BatchCursor cursor = map.batchCursor();
            int total = 0;
            while (!cursor.done() && total < capacity) {
                MemorySegment k = keys.asSlice((long) total * map.keySize());
                MemorySegment v = values.asSlice((long) total * map.valueBufferSize());
                int n = delete ? map.lookupAndDeleteBatch(cursor, k, v, capacity - total)
                        : map.lookupBatch(cursor, k, v, capacity - total);
                total += n;
                if (n == 0) break;
            }
            for (int i = 0; i < total; i++) {
                Value key = Value.copyOf(keyType, keys.asSlice((long) i * map.keySize(), map.keySize()));
                L leaf = decodeLeaf(values.asSlice((long) i * map.valueBufferSize(), map.valueBufferSize()));
                out.add(new AbstractMap.SimpleImmutableEntry<>(key, leaf));
            }
        }
        return out;
    }

    /** Deletes {@code keys} through BPF_MAP_DELETE_BATCH; every entry when {@code keys} is null. */
    public void itemsDeleteBatch(List<Value> keys) {
        if (keys == null) {
            batchRead(true);
            return;
        }
        if (keys.isEmpty()) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate((long) keys.size() * map.keySize(), 8);
            for (int i = 0; i < keys.size(); i++) {
                MemorySegment.copy(normalize(keys.get(i)).segment(), 0, buffer, (long) i * map.keySize(), map.keySize());
            }
            map.deleteBatch(buffer, keys.size());
        }
    }

    /** Writes {@code keys[i] -> leaves[i]} through BPF_MAP_UPDATE_BATCH. */
    public void itemsUpdateBatch(List<Value> keys, List<L> leaves) {
        if (keys.size() != leaves.size()) {
            throw new IllegalArgumentException(keys.size() + " keys but " + leaves.size() + " leaves; give one leaf per key");
        }
        if (keys.isEmpty()) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate((long) keys.size() * map.keySize(), 8);
            MemorySegment v = arena.allocate((long) keys.size() * map.valueBufferSize(), 8);
            for (int i = 0; i < keys.size(); i++) {
                MemorySegment.copy(normalize(keys.get(i)).segment(), 0, k, (long) i * map.keySize(), map.keySize());
                encodeLeaf(leaves.get(i), v.asSlice((long) i * map.valueBufferSize(), map.valueBufferSize()));
            }
            map.updateBatch(k, v, keys.size(), BpfMap.ANY);
        }
    }

    // ---- histograms ----

    /** {@link #printLog2Hist(PrintStream, Histogram.Options)} on standard output with bcc's defaults. */
    public void printLog2Hist() {
        printLog2Hist(System.out, Histogram.Options.defaults());
    }

    /** bcc's {@code print_log2_hist(val_type)}. */
    public void printLog2Hist(String valType) {
        printLog2Hist(System.out, Histogram.Options.defaults().withValType(valType));
    }

    /** bcc's {@code print_log2_hist(val_type, section_header, section_print_fn)}. */
    public void printLog2Hist(String valType, String sectionHeader, java.util.function.Function<Object, String> sectionPrintFn) {
        printLog2Hist(System.out, Histogram.Options.defaults().withValType(valType).withSection(sectionHeader, sectionPrintFn));
    }

    /** bcc's {@code print_log2_hist(val_type, section_header, section_print_fn, bucket_fn)}. */
    public void printLog2Hist(String valType, String sectionHeader, java.util.function.Function<Object, String> sectionPrintFn,
                              java.util.function.UnaryOperator<Object> bucketFn) {
        printLog2Hist(System.out, Histogram.Options.defaults().withValType(valType).withSection(sectionHeader, sectionPrintFn)
                .withBucketFn(bucketFn));
    }

    /**
     * Prints the table as a log2 histogram exactly as bcc's Python does: the key is the slot
     * (0..64), or for a struct key its first member is the section and its second the slot,
     * one histogram per section.
     */
    public void printLog2Hist(PrintStream out, Histogram.Options options) {
        out.print(Histogram.log2(this, options));
        out.flush();
    }

    /** bcc's {@code print_linear_hist(val_type)}. */
    public void printLinearHist(String valType) {
        printLinearHist(System.out, Histogram.Options.defaults().withValType(valType));
    }

    public void printLinearHist() {
        printLinearHist(System.out, Histogram.Options.defaults());
    }

    /** Prints the table as a linear histogram (slots 0..1024) exactly as bcc's Python does. */
    public void printLinearHist(PrintStream out, Histogram.Options options) {
        out.print(Histogram.linear(this, options));
        out.flush();
    }

    /** bcc's {@code print_json_hist()}: the log2 histogram as one JSON object per line, on standard output. */
    public void printJsonHist() {
        printJsonHist(System.out, Histogram.Options.defaults());
    }

    /** bcc's {@code print_json_hist(val_type)}. */
    public void printJsonHist(String valType) {
        printJsonHist(System.out, Histogram.Options.defaults().withValType(valType));
    }

    /** bcc's {@code print_json_hist(val_type, section_header, section_print_fn)}. */
    public void printJsonHist(String valType, String sectionHeader, java.util.function.Function<Object, String> sectionPrintFn) {
        printJsonHist(System.out, Histogram.Options.defaults().withValType(valType).withSection(sectionHeader, sectionPrintFn));
    }

    /**
     * Prints the table, a log2 histogram, as bcc's {@code print_json_hist} does: one JSON object
     * per line ({@code ts}, {@code val_type}, {@code data} with {@code interval-start},
     * {@code interval-end} and {@code count} per slot), one per section for a struct key, the
     * section under the section header's name. See {@link Histogram#jsonText}.
     */
    public void printJsonHist(PrintStream out, Histogram.Options options) {
        out.print(Histogram.json(this, options));
        out.flush();
    }

    /** Per-slot counts for histogram printing, keyed by section (null for a plain key). */
    Map<Object, long[]> histogramSlots(int slotCount, java.util.function.UnaryOperator<Object> bucketFn) {
        Map<Object, long[]> sections = new java.util.LinkedHashMap<>();
        if (keyType.isComposite()) {
            List<String> members = new ArrayList<>(keyType.members().keySet());
            if (members.size() < 2) {
                throw new IllegalStateException("table " + name() + " has a " + keyType.cName() + " key with fewer than two"
                        + " members; a sectioned histogram needs (section, slot)");
            }
            String sectionMember = members.get(0);
            String slotMember = members.get(1);
            for (Map.Entry<Value, L> e : items()) {
                Object bucket = e.getKey().get(sectionMember);
                if (bucketFn != null) bucket = bucketFn.apply(bucket);
                long[] slots = sections.computeIfAbsent(bucket, b -> new long[slotCount]);
                slots[slotIndex(e.getKey().getLong(slotMember), slotCount)] = count(e.getValue());
            }
        } else {
            long[] slots = new long[slotCount];
            for (Map.Entry<Value, L> e : items()) slots[slotIndex(e.getKey().value(), slotCount)] = count(e.getValue());
            sections.put(null, slots);
        }
        return sections;
    }

    private int slotIndex(long slot, int slotCount) {
        if (slot < 0 || slot >= slotCount) {
            throw new IllegalStateException("table " + name() + " has slot " + slot + ", beyond the " + slotCount
                    + " slots of this histogram");
        }
        return (int) slot;
    }
}
