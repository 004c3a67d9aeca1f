package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

/**
 * bcc's LpmTrie (BPF_LPM_TRIE): keys start with a u32 prefix length in bits; {@link #longestMatch}
 * asks the kernel for the longest prefix containing a key.
 */
public final class LpmTrie extends ValueTable {
    LpmTrie(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
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
