package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;
import dev.jbcc.spec.MapType;

/**
 * bcc's Array (BPF_ARRAY, BPF_HISTOGRAM with an int key, BPF_TABLE("array", ...)): indexes
 * 0..max_entries-1, negative ones counted from the end; {@link #delete} zeroes the element, since
 * array elements always exist. Also the fd arrays bcc treats as arrays (array of maps, devmap,
 * cpumap, xskmap, cgroup array): {@link #putFd}.
 */
public final class ArrayTable extends ValueTable {
    ArrayTable(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    @Override
    boolean isArray() {
        return map.type() == MapType.ARRAY;
    }

    @Override
    Value normalize(Value key) {
        checkKey(key);
        if (key.isInteger()) {
            long index = key.value();
            if (index < 0 || index >= map.maxEntries()) {
                throw new IndexOutOfBoundsException("index " + index + " is outside table " + name() + " (max_entries "
                        + map.maxEntries() + ")");
            }
        }
        return key;
    }

    @Override
    Value indexKey(long key) {
        long index = key < 0 ? key + map.maxEntries() : key;
        if (index < 0 || index >= map.maxEntries()) {
            throw new IndexOutOfBoundsException("index " + key + " is outside table " + name() + " (max_entries "
                    + map.maxEntries() + ")");
        }
        return key(index);
    }

    /** Stores an fd (a map, cgroup, socket, or device index as the map type wants) at {@code index}. */
    public void putFd(long index, int fd) {
        map.putFd(indexKey(index).segment(), fd);
    }

    /** For an array of maps: stores {@code inner}'s map at {@code index}. */
    public void putMap(long index, Table inner) {
        map.putMap(indexKey(index).segment(), inner.map());
    }
}
