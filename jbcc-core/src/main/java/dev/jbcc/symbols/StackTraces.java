package dev.jbcc.symbols;

import dev.jbcc.BpfMap;
import dev.jbcc.spec.BpfFlags;
import dev.jbcc.spec.MapType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads {@code BPF_MAP_TYPE_STACK_TRACE} entries, as filled by {@code bpf_get_stackid()}, and
 * symbolizes them: kernel stacks with {@link KernelSymbols}, user stacks with {@link UserSymbols}.
 */
public final class StackTraces {
    private StackTraces() {}

    // Stack map values are u64 instruction pointers in the host's byte order.
    private static final ValueLayout.OfLong IP = ValueLayout.JAVA_LONG_UNALIGNED;

    /**
     * The instruction pointers of stack {@code stackId}, innermost first, without the zero padding.
     *
     * @return empty if the map has no such stack (e.g. it was deleted, or the id is a negative error)
     * @throws IllegalArgumentException if {@code map} is not a stack trace map, or stores build ids
     */
    public static long[] read(BpfMap map, int stackId) {
        if (map.type() != MapType.STACK_TRACE) {
            throw new IllegalArgumentException(map.name() + " is a " + map.type() + " map, not STACK_TRACE");
        }
        if ((map.flags() & BpfFlags.BPF_F_STACK_BUILD_ID) != 0) {
            throw new IllegalArgumentException(map.name() + " stores build ids (BPF_F_STACK_BUILD_ID), not addresses");
        }
        if (stackId < 0) return new long[0];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(ValueLayout.JAVA_INT, stackId);
            MemorySegment value = arena.allocate(map.valueSize(), 8);
            if (!map.lookup(key, value)) return new long[0];
            int depth = map.valueSize() / 8;
            long[] ips = new long[depth];
            int n = 0;
            while (n < depth && (ips[n] = value.get(IP, 8L * n)) != 0) n++;
            return Arrays.copyOf(ips, n);
        }
    }

    /** Symbolizes a stack, innermost frame first. */
    public static List<ResolvedAddress> symbolize(long[] ips, Symbolizer symbols) {
        List<ResolvedAddress> frames = new ArrayList<>(ips.length);
        for (long ip : ips) frames.add(symbols.resolve(ip));
        return frames;
    }

    /** Reads and symbolizes stack {@code stackId} in one step. */
    public static List<ResolvedAddress> read(BpfMap map, int stackId, Symbolizer symbols) {
        return symbolize(read(map, stackId), symbols);
    }
}
