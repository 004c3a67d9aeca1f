package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

import java.lang.foreign.MemorySegment;

/**
 * What bcc's tables with one leaf per key share (bcc's {@code TableBase} with a plain
 * {@code Leaf}): hashes, arrays, tries, stacks and program arrays. The leaf is one {@link Value}
 * decoded by the leaf's C type; the per-CPU tables are {@link PerCpuTable}.
 */
public abstract sealed class ValueTable extends KeyedTable<Value>
        permits HashTable, ArrayTable, LpmTrie, StackTrace, ProgArray {
    ValueTable(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    @Override
    final Value decodeLeaf(MemorySegment buffer) {
        return Value.copyOf(leafType, buffer);
    }

    @Override
    final void encodeLeaf(Value leaf, MemorySegment buffer) {
        checkLeaf(leaf);
        MemorySegment.copy(leaf.segment(), 0, buffer, 0, leaf.size());
    }

    @Override
    long count(Value leaf) {
        return leaf.value();
    }

    /** {@code table[key] = leaf} with integers; an array's negative index counts from the end. */
    public void put(long key, long leaf) {
        put(indexKey(key), leaf(leaf));
    }
}
