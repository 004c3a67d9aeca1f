package dev.jbcc.ringbuf;

import dev.jbcc.BpfMap;
import dev.jbcc.Codec;
import dev.jbcc.errors.AlreadyClosedException;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Reads one BPF ring buffer ({@code BPF_MAP_TYPE_RINGBUF}); a {@link RingBufferPoller} with a
 * single ring. See {@link RingBufferPoller} for the threading, closing and lost-record rules.
 *
 * <pre>{@code
 * try (var reader = RingBufferReader.open(coll.map("events"), record -> {
 *          long seq = record.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);   // valid during the call only
 *      })) {
 *     while (running) reader.poll(Duration.ofMillis(100));
 * }
 * }</pre>
 */
public final class RingBufferReader implements AutoCloseable {
    private final RingBufferPoller poller;

    private RingBufferReader(RingBufferPoller poller) {
        this.poller = poller;
    }

    /**
     * Maps {@code map} (which stays open and owned by the caller) and delivers its records to
     * {@code handler}.
     *
     * @throws IllegalArgumentException if {@code map} is not a RINGBUF
     */
    public static RingBufferReader open(BpfMap map, RecordHandler handler) {
        return open(map, RawRecordHandler.slicing(handler));
    }

    /**
     * As {@link #open(BpfMap, RecordHandler)}, handing each record to {@code handler} as an offset
     * and length in the ring's data: the allocation-free path for high record rates.
     *
     * <pre>{@code
     * RingBufferReader.open(map, (ring, offset, length) -> sum += ring.get(JAVA_LONG_UNALIGNED, offset));
     * }</pre>
     */
    public static RingBufferReader open(BpfMap map, RawRecordHandler handler) {
        RingBufferPoller poller = RingBufferPoller.create();
        try {
            poller.add(map, handler);
        } catch (Throwable t) {
            poller.close();
            throw t;
        }
        return new RingBufferReader(poller);
    }

    /** As {@link #open(BpfMap, RecordHandler)}, decoding each record with {@code codec}. */
    public static <T> RingBufferReader open(BpfMap map, Codec<T> codec, Consumer<? super T> consumer) {
        return open(map, RecordHandler.decoding(codec, consumer));
    }

    /**
     * Waits up to {@code timeout} for data, then consumes everything the ring holds.
     *
     * @return records delivered
     * @throws AlreadyClosedException if the reader is closed, before or during the wait
     */
    public int poll(Duration timeout) {
        return poller.poll(timeout);
    }

    /** Waits without limit for data, {@link #wakeup()} or {@link #close()}. */
    public int poll() {
        return poller.poll();
    }

    /** Consumes what the ring holds now, without waiting. */
    public int consume() {
        return poller.consume();
    }

    /** Bytes committed or being written and not consumed yet. */
    public long pending() {
        return poller.pending();
    }

    /** Makes a current or the next {@link #poll} return early. */
    public void wakeup() {
        poller.wakeup();
    }

    public boolean isClosed() {
        return poller.isClosed();
    }

    /** Unmaps the ring and closes the reader's descriptors; the map stays open. Idempotent. */
    @Override
    public void close() {
        poller.close();
    }
}
