package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

/** bcc's HashTable: BPF_HASH, BPF_TABLE("hash"|"lru_hash", ...), hash of maps. */
public final class HashTable extends ValueTable {
    HashTable(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    /** For a hash of maps: stores {@code inner}'s map under {@code key}. */
    public void putMap(Value key, Table inner) {
        map.putMap(normalize(key).segment(), inner.map());
    }
}
