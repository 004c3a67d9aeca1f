package dev.jbcc.perf;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Receives each perf sample as a position in a segment: the lower-level, allocation-free form of
 * {@link SampleHandler}, for consumers that read many samples a second.
 *
 * <p>The sample is the {@code length} bytes at {@code offset} of {@code buffer}, a read-only
 * segment that the reader passes again and again: the CPU's ring for most samples, a scratch
 * buffer (at offset 0) for the rare sample that wraps around the ring's end. Offsets are 4 bytes
 * past an 8-byte boundary in the ring (the raw sample follows a u32 size), so read with the
 * {@code *_UNALIGNED} layouts, e.g. {@code buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset)}.
 * As for {@link SampleHandler}, {@code length} includes the kernel's padding of up to 7 bytes.
 *
 * <p>The bytes are valid only until the handler returns: the reader then releases them to the
 * kernel, and the scratch buffer is reused for the next wrapped sample. Copy what must outlive
 * the call. Exceptions behave as for {@link SampleHandler}.
 */
@FunctionalInterface
public interface RawSampleHandler {
    void onSample(int cpu, MemorySegment buffer, long offset, int length);

    /** Adapts {@code handler}, handing it a slice per sample (one small allocation per sample). */
    static RawSampleHandler slicing(SampleHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return (cpu, buffer, offset, length) -> handler.onSample(cpu, buffer.asSlice(offset, length));
    }
}
