package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * bcc's QueueStack (BPF_QUEUE, BPF_STACK): leaves without keys, pushed and popped in FIFO
 * (queue) or LIFO (stack) order.
 */
public final class QueueStack extends Table {
    /** Push flag: when full, drop the oldest element instead of failing. */
    public static final int BPF_EXIST = 2;

    QueueStack(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    /** Pushes {@code leaf}; fails with E2BIG naming the table when it is full. */
    public void push(Value leaf) {
        push(leaf, 0);
    }

    /** Pushes {@code leaf}; flags 0 or {@link #BPF_EXIST} (evict the oldest when full). */
    public void push(Value leaf, int flags) {
        checkLeaf(leaf);
        map.push(leaf.segment(), (flags & BPF_EXIST) != 0);
    }

    public void push(long leaf) {
        push(leaf(leaf));
    }

    /** Removes and returns the next leaf, or null when empty (bcc raises KeyError). */
    public Value pop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Math.max(map.valueSize(), 1), 8);
            return map.pop(value) ? Value.copyOf(leafType, value) : null;
        }
    }

    /** The next leaf without removing it, or null when empty. */
    public Value peek() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Math.max(map.valueSize(), 1), 8);
            return map.peek(value) ? Value.copyOf(leafType, value) : null;
        }
    }

    /** Pops every leaf, in pop order (as bcc's {@code values()}, which empties the table). */
    public List<Value> values() {
        List<Value> out = new ArrayList<>();
        for (Value v = pop(); v != null; v = pop()) out.add(v);
        return out;
    }
}
