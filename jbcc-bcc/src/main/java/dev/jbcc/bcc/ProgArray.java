package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

/**
 * bcc's ProgArray (BPF_PROG_ARRAY): the programs {@code table.call(ctx, index)} tail-calls.
 * Lookups give the stored program's id; {@link #put(long, BpfFunction)} stores a loaded function.
 */
public final class ProgArray extends ValueTable {
    ProgArray(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    @Override
    Value indexKey(long key) {
        return key(key < 0 ? key + map.maxEntries() : key);
    }

    /** {@code prog_array[index] = fn}: tail calls to {@code index} run {@code function}. */
    public void put(long index, BpfFunction function) {
        map.putFd(indexKey(index).segment(), function.fd());
    }

    /** Stores a program fd at {@code index}. */
    public void putFd(long index, int programFd) {
        map.putFd(indexKey(index).segment(), programFd);
    }
}
