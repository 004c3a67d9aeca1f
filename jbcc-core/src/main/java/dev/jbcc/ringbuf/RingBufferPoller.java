package dev.jbcc.ringbuf;

import dev.jbcc.BpfMap;
import dev.jbcc.Codec;
import dev.jbcc.errors.AlreadyClosedException;
import dev.jbcc.internal.sys.EpollSet;
import dev.jbcc.internal.sys.PollGuard;

import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reads several BPF ring buffers ({@code BPF_MAP_TYPE_RINGBUF}, Linux 5.8+) through one epoll
 * set, each with its own {@link RecordHandler} (a segment per record) or {@link RawRecordHandler}
 * (an offset into the ring: no allocation per record). Records are delivered zero-copy, in the
 * order the producers committed them per ring; the consumer position is published once per
 * batch (with release semantics), not once per record.
 *
 * <pre>{@code
 * try (var poller = RingBufferPoller.create()) {
 *     poller.add(coll.map("exec_events"), record -> ...);
 *     poller.add(coll.map("exit_events"), RecordHandler.decoding(codec, event -> ...));
 *     while (running) poller.poll(Duration.ofMillis(100));
 * }
 * }</pre>
 *
 * <p><b>Lost records.</b> The kernel keeps no count of failed reservations on a ring buffer:
 * {@code bpf_ringbuf_reserve} returns NULL (and {@code bpf_ringbuf_output} -EAGAIN) when the
 * ring is full, and only the program can count that, e.g. in a global variable that Java reads
 * through {@code Collection.variable}. A reader therefore never reports losses for ring buffers.
 *
 * <p><b>Threads.</b> Polls are serialized: one thread consumes at a time, and handlers run on
 * it. The poller works from platform and virtual threads; on a virtual thread the wait in
 * epoll_wait occupies its carrier thread, as any blocking native call does. {@link #add},
 * {@link #wakeup()} and {@link #close()} may be called from any thread.
 *
 * <p><b>Closing.</b> {@link #close()} wakes a thread blocked in {@link #poll}, waits until it has
 * left (and until a running handler returns), then unmaps the rings and closes its descriptors.
 * The interrupted poll, and every later call, throws {@link AlreadyClosedException}. Closing from
 * inside a handler is allowed: the poll ends with that exception after the handler returns.
 * The maps themselves stay open: the poller holds duplicates of their fds.
 */
public final class RingBufferPoller implements AutoCloseable {
    private final EpollSet epoll;
    private final Arena mappings = Arena.ofShared();
    private final PollGuard guard;
    /** Replaced, never mutated, so a poll reads a consistent array without the add lock. */
    private volatile Ring[] rings = new Ring[0];

    private RingBufferPoller(EpollSet epoll) {
        this.epoll = epoll;
        this.guard = new PollGuard("ring buffer poller", epoll, this::release);
    }

    /** A poller with no rings yet. */
    public static RingBufferPoller create() {
        return new RingBufferPoller(EpollSet.create(8));
    }

    /**
     * Maps the ring buffer {@code map} and delivers its records to {@code handler} from now on.
     * Records already in the ring are delivered too.
     *
     * @throws IllegalArgumentException if {@code map} is not a RINGBUF
     * @throws dev.jbcc.errors.SyscallException if the kernel refuses the mapping
     * @throws AlreadyClosedException if the poller is closed
     */
    public RingBufferPoller add(BpfMap map, RecordHandler handler) {
        return add(map, RawRecordHandler.slicing(handler));
    }

    /**
     * As {@link #add(BpfMap, RecordHandler)}, handing each record to {@code handler} as an offset
     * and length in the ring's data instead of a segment of its own: no allocation per record.
     */
    public RingBufferPoller add(BpfMap map, RawRecordHandler handler) {
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(handler, "handler");
        synchronized (this) {
            guard.checkOpen();
            Ring ring = Ring.map(map, handler, mappings);
            try {
                epoll.add(ring.fd, rings.length);
            } catch (Throwable t) {
                ring.fd.close();
                throw t;
            }
            Ring[] grown = Arrays.copyOf(rings, rings.length + 1);
            grown[rings.length] = ring;
            rings = grown;
        }
        return this;
    }

    /** As {@link #add(BpfMap, RecordHandler)}, decoding each record with {@code codec}. */
    public <T> RingBufferPoller add(BpfMap map, Codec<T> codec, Consumer<? super T> consumer) {
        return add(map, RecordHandler.decoding(codec, consumer));
    }

    /**
     * Waits up to {@code timeout} for any ring to have data (or for {@link #wakeup()}), then
     * consumes every ring. Records below a ring's wake-up threshold (producers that pass
     * BPF_RB_NO_WAKEUP) are delivered too, once the wait ends.
     *
     * @return records delivered (0 after a timeout with nothing to read)
     * @throws AlreadyClosedException if the poller is closed, before or during the wait
     */
    public int poll(Duration timeout) {
        return poll(toMillis(timeout));
    }

    /** Waits without a time limit until there is data, {@link #wakeup()} or {@link #close()}. */
    public int poll() {
        return poll(-1);
    }

    /** Consumes what every ring holds now, without waiting. */
    public int consume() {
        return poll(0);
    }

    private int poll(int timeoutMillis) {
        guard.enter();
        try {
            if (timeoutMillis != 0) epoll.await(timeoutMillis);
            guard.checkOpen();
            int delivered = 0;
            for (Ring ring : rings) {
                delivered += ring.consume(guard);
                guard.checkOpen();
            }
            return delivered;
        } finally {
            guard.exit();
        }
    }

    /** Bytes waiting in all rings: committed or still being written, not yet consumed. Waits for a running poll. */
    public long pending() {
        guard.enter();
        try {
            long total = 0;
            for (Ring ring : rings) total += ring.pending();
            return total;
        } finally {
            guard.exit();
        }
    }

    /** How many rings this poller reads. */
    public int size() {
        return rings.length;
    }

    /** Makes a current (or the next) {@link #poll} return early. */
    public void wakeup() {
        epoll.wake();
    }

    public boolean isClosed() {
        return guard.isClosed();
    }

    /** Stops polling, unmaps every ring and closes the poller's descriptors. Idempotent. */
    @Override
    public void close() {
        guard.close();
    }

    static int toMillis(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout " + timeout);
        if (timeout.isZero()) return 0;
        // Round up: a 100 µs timeout should wait, not spin.
        long millis = timeout.toNanos() > Long.MAX_VALUE / 2 ? Integer.MAX_VALUE
                : (timeout.toNanos() + 999_999) / 1_000_000;
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    /** Runs once, with the poll lock held: nobody is reading the rings. */
    private synchronized void release() {
        for (Ring ring : rings) ring.fd.close();
        epoll.close();
        PollGuard.closeSpinning(mappings);
    }
}
