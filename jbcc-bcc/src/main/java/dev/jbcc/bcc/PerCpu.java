package dev.jbcc.bcc;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Leaf coding of per-CPU tables: one leaf per possible CPU, each in an 8-byte-aligned slot. */
final class PerCpu {
    private PerCpu() {}

    static List<Value> decode(Table table, MemorySegment buffer) {
        int cpus = table.map.possibleCpus();
        int stride = table.map.valueStride();
        List<Value> out = new ArrayList<>(cpus);
        for (int cpu = 0; cpu < cpus; cpu++) out.add(Value.copyOf(table.leafType, buffer.asSlice((long) cpu * stride, stride)));
        return Collections.unmodifiableList(out);
    }

    static void encode(Table table, List<Value> leaves, MemorySegment buffer) {
        int cpus = table.map.possibleCpus();
        if (leaves.size() != cpus) {
            throw new IllegalArgumentException("table " + table.name() + " is per-CPU: give " + cpus
                    + " leaves (one per possible CPU), not " + leaves.size() + "; allCpus(leaf) repeats one");
        }
        int stride = table.map.valueStride();
        for (int cpu = 0; cpu < cpus; cpu++) {
            Value leaf = leaves.get(cpu);
            table.checkLeaf(leaf);
            MemorySegment.copy(leaf.segment(), 0, buffer, (long) cpu * stride, leaf.size());
        }
    }

    static long sum(Table table, List<Value> leaves) {
        requireInteger(table);
        long sum = 0;
        for (Value v : leaves) sum += v.value();
        return sum;
    }

    static long max(Table table, List<Value> leaves) {
        requireInteger(table);
        long max = Long.MIN_VALUE;
        for (Value v : leaves) max = Math.max(max, v.value());
        return max;
    }

    private static void requireInteger(Table table) {
        if (!table.leafType.isInteger()) {
            throw new IllegalStateException("table " + table.name() + " has " + table.leafType.cName()
                    + " leaves; sum, max and average need integer leaves (reduce struct leaves yourself)");
        }
    }
}
