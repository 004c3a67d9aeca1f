package dev.jbcc;

import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.Bpf;

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
        long flags = overwriteOldest ? BpfMap.EXIST : BpfMap.ANY;
        int rc = Bpf.mapUpdateElemErrno(map.handle(), null, s.value, flags);
        if (rc < 0) throw map.updateError(-rc, flags);
    }

    /** Removes and returns the next value (queue: oldest; stack: newest), or null if empty. */
    public V pop() {
        MapScratch s = MapScratch.get(0, map.valueSize());
        return Bpf.mapLookupAndDeleteElem(map.handle(), null, s.value, 0) ? values.decode(s.value) : null;
    }

    /** The next value without removing it, or null if empty. */
    public V peek() {
        MapScratch s = MapScratch.get(0, map.valueSize());
        return Bpf.mapLookupElem(map.handle(), null, s.value, 0) ? values.decode(s.value) : null;
    }

    public BpfMap map() {
        return map;
    }
}
