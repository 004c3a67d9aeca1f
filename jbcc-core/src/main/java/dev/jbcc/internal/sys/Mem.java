package dev.jbcc.internal.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** Small helpers for filling kernel structs. */
final class Mem {
    private Mem() {}

    /** The address the kernel should read, or 0 for "none"; heap segments have no stable address. */
    static long address(MemorySegment segment, String what) {
        if (segment == null) return 0;
        if (!segment.isNative())
            throw new IllegalArgumentException(what + " must be native memory (allocate it from an Arena), not a heap segment");
        return segment.address();
    }

    /** Writes {@code name} as a NUL-terminated C string of at most {@code capacity - 1} bytes. */
    static void putName(MemorySegment seg, long offset, String name, int capacity) {
        seg.asSlice(offset, capacity).fill((byte) 0);
        if (name == null) return;
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, offset, Math.min(bytes.length, capacity - 1));
    }

    /** Reads a NUL-terminated string of at most {@code capacity} bytes. */
    static String getName(MemorySegment seg, long offset, int capacity) {
        int n = 0;
        while (n < capacity && seg.get(ValueLayout.JAVA_BYTE, offset + n) != 0) n++;
        byte[] bytes = new byte[n];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, offset, bytes, 0, n);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    static int count(MemorySegment segment, long recordSize, String what) {
        if (segment == null) return 0;
        if (segment.byteSize() % recordSize != 0)
            throw new IllegalArgumentException(what + " is " + segment.byteSize() + " bytes, not a multiple of its "
                    + recordSize + "-byte record");
        return Math.toIntExact(segment.byteSize() / recordSize);
    }
}
