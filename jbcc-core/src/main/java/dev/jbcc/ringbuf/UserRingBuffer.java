package dev.jbcc.ringbuf;

import dev.jbcc.BpfMap;
import dev.jbcc.Codec;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.internal.sys.PollGuard;
import dev.jbcc.spec.MapType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes samples into a user ring buffer ({@code BPF_MAP_TYPE_USER_RINGBUF}, Linux 6.1+), which
 * a program drains with {@code bpf_user_ringbuf_drain}. The mirror image of
 * {@link RingBufferReader}: here user space owns {@code producer_pos} and the data pages (mapped
 * writable, twice in a row), and the kernel owns {@code consumer_pos}.
 *
 * <pre>{@code
 * try (var ring = UserRingBuffer.open(coll.map("commands"))) {
 *     MemorySegment sample = ring.reserve(16);     // null when the ring is full
 *     sample.set(JAVA_LONG_UNALIGNED, 0, 42);
 *     ring.submit(sample);
 * }
 * }</pre>
 *
 * <p>Reservations are serialized (one producer position); {@link #submit} and {@link #discard}
 * may come from any thread and in any order, but the program stops draining at the oldest sample
 * that is still reserved. Nothing here waits for space: {@link #reserve} returns null when the
 * ring is full, and the caller decides whether to retry after the program has drained.
 */
public final class UserRingBuffer implements AutoCloseable {
    private static final VarHandle POSITION =
            ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder()).varHandle().withInvokeExactBehavior();
    private static final VarHandle LENGTH =
            ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder()).varHandle().withInvokeExactBehavior();
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());

    private final String name;
    private final Fd fd;
    private final Arena mappings = Arena.ofShared();
    private final MemorySegment consumer;
    private final MemorySegment producer;
    private final MemorySegment data;
    private final long size;
    private final long mask;
    private final ReentrantLock reserving = new ReentrantLock();
    private volatile boolean closed;

    @SuppressWarnings("restricted") // each segment is exactly the length mmap was asked for
    private UserRingBuffer(BpfMap map) {
        this.name = map.name();
        this.size = Integer.toUnsignedLong(map.maxEntries());
        this.mask = size - 1;
        this.fd = Handles.of(map).dup();
        try {
            long page = Libc.pageSize();
            // The kernel refuses a writable mapping of the consumer page, and requires one for the rest.
            MemorySegment c = Libc.mmap(page, Libc.PROT_READ, Libc.MAP_SHARED, fd.raw(), 0,
                    "mmap of user ring buffer '" + name + "' (consumer page)");
            this.consumer = c.reinterpret(page, mappings, s -> Libc.retire(s, page)).asReadOnly();
            long length = page + 2 * size;
            MemorySegment p = Libc.mmap(length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd.raw(), page,
                    "mmap of user ring buffer '" + name + "' (producer page and data)");
            MemorySegment rest = p.reinterpret(length, mappings, s -> Libc.retire(s, length));
            this.producer = rest.asSlice(0, page);
            this.data = rest.asSlice(page, 2 * size);
        } catch (Throwable t) {
            mappings.close();
            fd.close();
            throw t;
        }
    }

    /**
     * Maps {@code map} for writing; the map stays open and owned by the caller.
     *
     * @throws IllegalArgumentException if {@code map} is not a USER_RINGBUF
     */
    public static UserRingBuffer open(BpfMap map) {
        if (map.type() != MapType.USER_RINGBUF) {
            throw new IllegalArgumentException("map '" + map.name() + "' is a " + map.type() + ", not a USER_RINGBUF"
                    + (map.type() == MapType.RINGBUF ? "; a RINGBUF is written by programs and read with RingBufferReader" : ""));
        }
        return new UserRingBuffer(map);
    }

    /**
     * Reserves {@code length} bytes (at most the ring size minus 8): a writable segment to fill
     * and then pass to {@link #submit} or {@link #discard}.
     *
     * @return the sample, or null if the ring does not have room until the program drains it
     * @throws IllegalArgumentException if {@code length} could never fit
     */
    public MemorySegment reserve(int length) {
        long total = (Integer.toUnsignedLong(length) + Ring.HEADER_SIZE + 7) & ~7L;
        if (length < 0 || total > size)
            throw new IllegalArgumentException("a " + length + "-byte sample cannot fit user ring buffer '" + name + "' of "
                    + size + " bytes (8-byte header, 8-byte alignment)");
        reserving.lock();
        try {
            ensureOpen();
            long cons = (long) POSITION.getAcquire(consumer, 0L);
            long prod = (long) POSITION.getAcquire(producer, 0L);
            if (size - (prod - cons) < total) return null;
            long offset = prod & mask;
            // BUSY until submit: the program must not read a half-written sample.
            data.set(U32, offset, length | Ring.BUSY);
            data.set(U32, offset + 4, 0);
            POSITION.setRelease(producer, 0L, prod + total);
            return data.asSlice(offset + Ring.HEADER_SIZE, length);
        } finally {
            reserving.unlock();
        }
    }

    /** Publishes a reserved sample to the program. */
    public void submit(MemorySegment sample) {
        commit(sample, 0);
    }

    /** Gives back a reserved sample: the program skips it. */
    public void discard(MemorySegment sample) {
        commit(sample, Ring.DISCARD);
    }

    private void commit(MemorySegment sample, int flags) {
        ensureOpen();
        long offset = sample.address() - data.address() - Ring.HEADER_SIZE;
        if (offset < 0 || offset >= size)
            throw new IllegalArgumentException("segment was not reserved from user ring buffer '" + name + "'");
        int header = (int) LENGTH.getAcquire(data, offset);
        if ((header & Ring.BUSY) == 0 || (header & ~(Ring.BUSY | Ring.DISCARD)) != sample.byteSize())
            throw new IllegalStateException("sample at offset " + offset + " of user ring buffer '" + name
                    + "' is not a pending reservation (submitted or discarded twice?)");
        LENGTH.setRelease(data, offset, (int) sample.byteSize() | flags);
    }

    /**
     * Copies {@code bytes} into a new sample and submits it.
     *
     * @return false if the ring is full
     */
    public boolean write(MemorySegment bytes) {
        MemorySegment sample = reserve(Math.toIntExact(bytes.byteSize()));
        if (sample == null) return false;
        MemorySegment.copy(bytes, 0, sample, 0, bytes.byteSize());
        submit(sample);
        return true;
    }

    /**
     * Encodes {@code value} straight into a new sample and submits it.
     *
     * @return false if the ring is full
     */
    public <T> boolean write(Codec<T> codec, T value) {
        Objects.requireNonNull(codec, "codec");
        MemorySegment sample = reserve(codec.size());
        if (sample == null) return false;
        try {
            codec.encode(value, sample);
        } catch (Throwable t) {
            discard(sample);
            throw t;
        }
        submit(sample);
        return true;
    }

    /** Bytes reserved or submitted that the program has not drained yet. */
    public long pending() {
        ensureOpen();
        return (long) POSITION.getAcquire(producer, 0L) - (long) POSITION.getAcquire(consumer, 0L);
    }

    private void ensureOpen() {
        if (closed) throw new dev.jbcc.errors.AlreadyClosedException("user ring buffer '" + name + "' is closed");
    }

    /** Unmaps the ring (pending reservations are lost) and closes the writer's fd. Idempotent. */
    @Override
    public void close() {
        reserving.lock();
        try {
            if (closed) return;
            closed = true;
        } finally {
            reserving.unlock();
        }
        PollGuard.closeSpinning(mappings);
        fd.close();
    }
}
