package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What bcc's per-CPU tables share: each leaf is a list with one value per possible CPU, each in
 * an 8-byte-aligned slot of the kernel's value buffer; {@link #sum}, {@link #max} and
 * {@link #average} reduce integer leaves.
 */
public abstract sealed class PerCpuTable extends KeyedTable<List<Value>> permits PerCpuHash, PerCpuArray {
    PerCpuTable(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    @Override
    final List<Value> decodeLeaf(MemorySegment buffer) {
        int cpus = map.possibleCpus();
        int stride = map.valueStride();
        List<Value> out = new ArrayList<>(cpus);
        for (int cpu = 0; cpu < cpus; cpu++) out.add(Value.copyOf(leafType, buffer.asSlice((long) cpu * stride, stride)));
        return Collections.unmodifiableList(out);
    }

    @Override
    final void encodeLeaf(List<Value> leaves, MemorySegment buffer) {
        int cpus = map.possibleCpus();
        if (leaves.size() != cpus) {
            throw new IllegalArgumentException("table " + name() + " is per-CPU: give " + cpus
                    + " leaves (one per possible CPU), not " + leaves.size() + "; allCpus(leaf) repeats one");
        }
        int stride = map.valueStride();
        for (int cpu = 0; cpu < cpus; cpu++) {
            Value leaf = leaves.get(cpu);
            checkLeaf(leaf);
            MemorySegment.copy(leaf.segment(), 0, buffer, (long) cpu * stride, leaf.size());
        }
    }

    @Override
    final long count(List<Value> leaf) {
        return total(leaf);
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
        return leaves == null ? 0 : total(leaves);
    }

    public long sum(long key) {
        return sum(indexKey(key));
    }

    /** The largest CPU's leaf for {@code key} (0 when the key is absent). */
    public long max(Value key) {
        List<Value> leaves = get(key);
        if (leaves == null) return 0;
        requireIntegerLeaves();
        long max = Long.MIN_VALUE;
        for (Value v : leaves) max = Math.max(max, v.value());
        return max;
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

    private long total(List<Value> leaves) {
        requireIntegerLeaves();
        long sum = 0;
        for (Value v : leaves) sum += v.value();
        return sum;
    }

    private void requireIntegerLeaves() {
        if (!leafType.isInteger()) {
            throw new IllegalStateException("table " + name() + " has " + leafType.cName()
                    + " leaves; sum, max and average need integer leaves (reduce struct leaves yourself)");
        }
    }
}
