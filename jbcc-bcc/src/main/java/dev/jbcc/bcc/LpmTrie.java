package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

import java.lang.foreign.MemorySegment;

/**
 * bcc's LpmTrie (BPF_LPM_TRIE): keys start with a u32 prefix length in bits; {@link #longestMatch}
 * asks the kernel for the longest prefix containing a key.
 */
public final class LpmTrie extends KeyedTable<Value> {
    LpmTrie(BPF bpf, BccTable declaration, BpfMap map) {
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

    /**
     * The leaf of the longest prefix that contains {@code key} (whose prefix length should be the
     * full key width), or null when no prefix matches: the kernel's lookup on an LPM trie.
     */
    public Value longestMatch(Value key) {
        return get(key);
    }

    /** bcc's LpmTrie has no length (it raises); this walks the keys. */
    @Override
    public int size() {
        return super.size();
    }
}
