package dev.jbcc;

import dev.jbcc.errors.SyscallException;

/** A QUEUE (FIFO) or STACK (LIFO) map seen through a value {@link Codec}. Thread-safe. */
public final class TypedQueue<V> {
    private final BpfMap map;
    private final Codec<V> values;

    TypedQueue(BpfMap map, Codec<V> values) {
        this.map = map;
        this.values = values;
    }

    /**
     * Adds a value.
     *
     * @throws SyscallException E2BIG when full
     */
    public void push(V value) {
        push(value, false);
    }

    /** Adds a value; when full and {@code overwriteOldest}, the oldest value makes room. */
    public void push(V value, boolean overwriteOldest) {
        MapScratch s = MapScratch.get(0, map.valueSize());
        values.encode(value, s.value);
        map.push(s.value, overwriteOldest);
    }

    /** Removes and returns the next value (queue: oldest; stack: newest), or null if empty. */
    public V pop() {
        MapScratch s = MapScratch.get(0, map.valueSize());
        return map.pop(s.value) ? values.decode(s.value) : null;
    }

    /** The next value without removing it, or null if empty. */
    public V peek() {
        MapScratch s = MapScratch.get(0, map.valueSize());
        return map.peek(s.value) ? values.decode(s.value) : null;
    }

    public BpfMap map() {
        return map;
    }
}
