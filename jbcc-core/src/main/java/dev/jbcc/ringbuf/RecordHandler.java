package dev.jbcc.ringbuf;

import dev.jbcc.Codec;
import dev.jbcc.errors.FormatException;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Receives each record a BPF program submitted to a ring buffer, on the polling thread.
 *
 * <p>The segment is a read-only view straight into the ring's shared memory, exactly as long as
 * the program reserved (an odd size stays odd: the 8-byte padding is not included). It is valid
 * only until the handler returns: the kernel may overwrite those bytes as soon as the reader
 * moves past the record. Copy what must outlive the call.
 *
 * <p>Each call gets a segment object of its own; at millions of records a second use
 * {@link RawRecordHandler}, which gets an offset into a segment the reader reuses and allocates nothing.
 *
 * <p>An exception thrown here ends the current poll and propagates to its caller; the record
 * counts as consumed, so a poison record is not delivered again.
 */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(MemorySegment record);

    /**
     * A handler that decodes each record with {@code codec} (for example
     * {@link Codec#ofRecord(Class, dev.jbcc.btf.Btf, int)} over the program's event struct) and
     * passes the value on. Longer records are accepted (the codec reads its prefix); shorter ones
     * throw {@link FormatException}.
     */
    static <T> RecordHandler decoding(Codec<T> codec, Consumer<? super T> consumer) {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(consumer, "consumer");
        int size = codec.size();
        return record -> {
            if (record.byteSize() < size)
                throw new FormatException("ring buffer record of " + record.byteSize() + " bytes is shorter than the "
                        + size + " bytes " + codec + " decodes; the program submits a different struct than the Java side expects");
            consumer.accept(codec.decode(record));
        };
    }
}
