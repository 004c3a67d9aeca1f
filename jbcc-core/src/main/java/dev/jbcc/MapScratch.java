package dev.jbcc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread native memory for one key and one value, so element operations on heap data and
 * typed views make no allocation per call. Measured (MapBenchmark, 2M lookups on a 1024-entry
 * hash): a typed lookup through this buffer costs the same as a raw lookup on caller-owned
 * native memory (~1.1 us, nearly all syscall), while opening a confined arena per call adds
 * ~0.4-0.5 us (~40%). Safe because nothing else runs on
 * the thread between filling the buffer and reading it back, as long as codecs do not use maps.
 */
final class MapScratch {
    private static final ThreadLocal<MapScratch> CURRENT = ThreadLocal.withInitial(MapScratch::new);

    private MemorySegment buffer = MemorySegment.NULL;
    private long valueOffset = -1;
    private int keySize;
    /** The key area, at offset 0 of the buffer. */
    MemorySegment key = MemorySegment.NULL;
    /** The value area, after the key at an 8-byte boundary. */
    MemorySegment value = MemorySegment.NULL;

    static MapScratch get(int keySize, int valueSize) {
        MapScratch s = CURRENT.get();
        s.ensure(keySize, valueSize);
        return s;
    }

    private void ensure(int keySize, int valueSize) {
        this.keySize = keySize;
        long offset = (keySize + 7L) & ~7L;
        long need = offset + Math.max(valueSize, 8);
        if (buffer.byteSize() < need) {
            // Arena.ofAuto: freed when the thread (and so this scratch) goes away.
            buffer = Arena.ofAuto().allocate(Math.max(need, 512), 8);
            key = buffer;
            valueOffset = -1;
        }
        if (valueOffset != offset) {
            value = buffer.asSlice(offset);
            valueOffset = offset;
        }
    }

    /** Copies a caller's key into the key area and returns the area. */
    MemorySegment key(MemorySegment src) {
        MemorySegment.copy(src, 0, key, 0, keySize);
        return key;
    }

    /** Copies {@code n} bytes of a caller's value into the value area and returns the area. */
    MemorySegment value(MemorySegment src, int n) {
        MemorySegment.copy(src, 0, value, 0, n);
        return value;
    }
}
