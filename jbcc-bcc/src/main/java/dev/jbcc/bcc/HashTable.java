package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

import java.lang.foreign.MemorySegment;

/** bcc's HashTable: BPF_HASH, BPF_TABLE("hash"|"lru_hash", ...), hash of maps. */
public final class HashTable extends KeyedTable<Value> {
    HashTable(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    @Override
    Value decodeLeaf(MemorySegment buffer) {
        return ValueTable.decode(leafType, buffer);
    }

    @Override
    void encodeLeaf(Value leaf, MemorySegment buffer) {
        ValueTable.encode(this, leaf, buffer);
    }

    @Override
    long count(Value leaf) {
        return ValueTable.count(leaf);
    }

    /** {@link #put(Value, Object)} with integer key and leaf. */
    public void put(long key, long leaf) {
        put(key(key), leaf(leaf));
    }

    /** For a hash of maps: stores {@code inner}'s map under {@code key}. */
    public void putMap(Value key, Table inner) {
        map.putMap(normalize(key).segment(), inner.map());
    }
}
