package dev.jbcc.ringbuf;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Receives each ring buffer record as a position in the ring's data: the lower-level, allocation-free
 * form of {@link RecordHandler}, for consumers that read millions of records a second.
 *
 * <p>{@code ring} is a read-only view of the ring's data pages (mapped twice in a row, so a
 * record that runs past the ring's end is still contiguous); the record is the {@code length}
 * bytes at {@code offset}, always 8-byte aligned. The reader passes the same segment for every
 * record of a ring, so no record costs an allocation; read it with the {@code *_UNALIGNED}
 * layouts or aligned layouts at aligned offsets, e.g.
 * {@code ring.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8)}.
 *
 * <p>The record's bytes are valid only until the handler returns: after that the reader releases
 * them to the producer, which may overwrite them at once. Reading other offsets of {@code ring},
 * or reading after the call, yields whatever the kernel has written there. Copy what must outlive
 * the call ({@code MemorySegment.copy} or {@code ring.asSlice(offset, length)} and a copy of that).
 *
 * <p>Exceptions behave as for {@link RecordHandler}: the poll ends, the record counts as consumed.
 */
@FunctionalInterface
public interface RawRecordHandler {
    void onRecord(MemorySegment ring, long offset, int length);

    /** Adapts {@code handler}, handing it a slice per record (one small allocation per record). */
    static RawRecordHandler slicing(RecordHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return (ring, offset, length) -> handler.onRecord(ring.asSlice(offset, length));
    }
}
