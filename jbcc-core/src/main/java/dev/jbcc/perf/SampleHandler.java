package dev.jbcc.perf;

import dev.jbcc.Codec;
import dev.jbcc.errors.FormatException;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.ObjIntConsumer;

/**
 * Receives each sample a program wrote with {@code bpf_perf_event_output}, on the polling thread,
 * with the CPU whose ring held it.
 *
 * <p>The segment is read-only and valid only until the handler returns: it points into the
 * ring (or into a scratch buffer for a record that wrapped around the ring's end). The kernel
 * pads raw samples so that the 4-byte size plus the data is a multiple of 8, so the segment may
 * be up to 7 bytes longer than what the program passed, and those bytes are undefined.
 *
 * <p>Each call gets a segment object of its own; at high sample rates use
 * {@link RawSampleHandler}, which gets an offset into a segment the reader reuses and allocates nothing.
 *
 * <p>An exception thrown here ends the poll and propagates; the sample counts as consumed.
 */
@FunctionalInterface
public interface SampleHandler {
    void onSample(int cpu, MemorySegment data);

    /**
     * Decodes each sample with {@code codec} and passes the value and the CPU on; samples
     * shorter than the codec throw {@link FormatException}.
     */
    static <T> SampleHandler decoding(Codec<T> codec, ObjIntConsumer<? super T> consumer) {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(consumer, "consumer");
        int size = codec.size();
        return (cpu, data) -> {
            if (data.byteSize() < size)
                throw new FormatException("perf sample of " + data.byteSize() + " bytes on CPU " + cpu
                        + " is shorter than the " + size + " bytes " + codec + " decodes");
            consumer.accept(codec.decode(data), cpu);
        };
    }
}
