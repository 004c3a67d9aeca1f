package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.List;

/**
 * What bcc's per-CPU tables share: each leaf is a list with one value per possible CPU;
 * {@link #sum}, {@link #max} and {@link #average} reduce integer leaves.
 */
public abstract sealed class PerCpuTable extends KeyedTable<List<Value>> permits PerCpuHash, PerCpuArray {
    PerCpuTable(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    @Override
    List<Value> decodeLeaf(MemorySegment buffer) {
        return PerCpu.decode(this, buffer);
    }

    @Override
    void encodeLeaf(List<Value> leaf, MemorySegment buffer) {
        PerCpu.encode(this, leaf, buffer);
    }

    @Override
    long count(List<Value> leaf) {
        return PerCpu.sum(this, leaf);
    }

    /** How many leaves each key has: the possible CPUs. */
    public int possibleCpus() {
        return map.possibleCpus();
    }

    /** A per-CPU leaf with {@code leaf} on every CPU. */
    public List<Value> allCpus(Value leaf) {
        return Collections.nCopies(map.possibleCpus(), leaf);
    }

    /** The sum over CPUs of {@code key}'s integer leaves (0 when the key is absent). */
    public long sum(Value key) {
        List<Value> leaves = get(key);
        return leaves == null ? 0 : PerCpu.sum(this, leaves);
    }

    public long sum(long key) {
        return sum(indexKey(key));
    }

    /** The largest CPU's leaf for {@code key} (0 when the key is absent). */
    public long max(Value key) {
        List<Value> leaves = get(key);
        return leaves == null ? 0 : PerCpu.max(this, leaves);
    }

    public long max(long key) {
        return max(indexKey(key));
    }

    /** The sum divided by the number of possible CPUs, as bcc's {@code average}. */
    public double average(Value key) {
        return (double) sum(key) / map.possibleCpus();
    }

    public double average(long key) {
        return average(indexKey(key));
    }
}
