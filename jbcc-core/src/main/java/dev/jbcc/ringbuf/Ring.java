package dev.jbcc.ringbuf;

import dev.jbcc.BpfMap;
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

/**
 * One mapped BPF_MAP_TYPE_RINGBUF and the consumer side of its protocol. Not thread-safe: the
 * owning poller lets one thread consume at a time.
 *
 * <p>Kernel layout ({@code kernel/bpf/ringbuf.c}): page 0 holds {@code consumer_pos} and is
 * the only page user space may write; page 1 holds {@code producer_pos}; the data pages follow
 * and the kernel maps them twice in a row, so a record that runs past the end of the ring is
 * still contiguous in the second copy. Positions grow without bound and are masked to find the
 * offset. Each record starts with an 8-byte header: a u32 length whose top two bits are BUSY
 * (reserved, not yet committed) and DISCARD, then the page offset the kernel uses; the next
 * record starts at the length plus header, rounded up to 8.
 */
final class Ring {
    static final int HEADER_SIZE = 8;
    static final int BUSY = 1 << 31;
    static final int DISCARD = 1 << 30;

    // Positions are shared with the kernel: native order, naturally aligned, so that the
    // acquire/release access modes are allowed (read once per batch).
    private static final VarHandle POSITION =
            ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder()).varHandle().withInvokeExactBehavior();
    // Headers (one per record) are read plainly and fenced; see readHeader.
    private static final ValueLayout.OfInt HEADER = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    final String name;
    final Fd fd;
    final long size;
    private final long mask;
    private final long batchBytes;
    private final MemorySegment consumer;
    private final MemorySegment producer;
    private final MemorySegment data;
    private final RawRecordHandler handler;
    /** Our copy of consumer_pos: we are its only writer. */
    private long consumerPos;

    private Ring(String name, Fd fd, long size, MemorySegment consumer, MemorySegment producerAndData, RawRecordHandler handler) {
        this.name = name;
        this.fd = fd;
        this.size = size;
        this.mask = size - 1;
        // Publishing progress every quarter ring (at most 1 MiB) frees space for a producer that
        // is writing while we read, without a release store per record.
        this.batchBytes = Math.min(size / 4, 1L << 20);
        this.consumer = consumer;
        long page = Libc.pageSize();
        this.producer = producerAndData.asSlice(0, page);
        this.data = producerAndData.asSlice(page, 2 * size);
        this.handler = handler;
        this.consumerPos = (long) POSITION.getAcquire(consumer, 0L);
    }

    /** Maps {@code map} into {@code arena}; the ring owns a duplicate of the map's fd. */
    static Ring map(BpfMap map, RawRecordHandler handler, Arena arena) {
        if (map.type() != MapType.RINGBUF) {
            throw new IllegalArgumentException("map '" + map.name() + "' is a " + map.type()
                    + ", not a RINGBUF; perf event arrays are read with dev.jbcc.perf.PerfBufferReader"
                    + (map.type() == MapType.USER_RINGBUF ? " (a USER_RINGBUF is written by user space, not read)" : ""));
        }
        long size = Integer.toUnsignedLong(map.maxEntries());
        long page = Libc.pageSize();
        Fd fd = Handles.of(map).dup();
        try {
            MemorySegment consumer = mmap(fd, 0, page, true, arena, map.name());
            // Producer page plus the data pages twice: the kernel allows exactly this length.
            MemorySegment rest = mmap(fd, page, page + 2 * size, false, arena, map.name());
            return new Ring(map.name(), fd, size, consumer, rest, handler);
        } catch (Throwable t) {
            fd.close();
            throw t;
        }
    }

    @SuppressWarnings("restricted") // the segment is exactly the length mmap was asked for
    private static MemorySegment mmap(Fd fd, long offset, long length, boolean writable, Arena arena, String name) {
        MemorySegment address = Libc.mmap(length, Libc.PROT_READ | (writable ? Libc.PROT_WRITE : 0), Libc.MAP_SHARED,
                fd.raw(), offset, "mmap of ring buffer '" + name + "' (" + (writable ? "consumer page" : "producer page and data")
                        + ")");
        MemorySegment segment = address.reinterpret(length, arena, s -> Libc.retire(s, length));
        return writable ? segment : segment.asReadOnly();
    }

    /** Bytes the producer has committed or reserved that we have not consumed yet. */
    long pending() {
        return (long) POSITION.getAcquire(producer, 0L) - consumerPos;
    }

    /**
     * Hands every committed record to the handler, in order, until the ring is empty or the next
     * record is still being written (BUSY). Returns how many records were delivered (discarded
     * ones are skipped and not counted).
     *
     * @param guard checked between batches, so that a close does not wait for a full ring
     */
    int consume(PollGuard guard) {
        long cons = consumerPos;
        int delivered = 0;
        while (true) {
            long prod = (long) POSITION.getAcquire(producer, 0L);
            if (cons >= prod) return delivered;
            long batchEnd = Math.min(prod, cons + batchBytes);
            boolean busy = false;
            while (cons < batchEnd) {
                long offset = cons & mask;
                int header = readHeader(offset);
                if ((header & BUSY) != 0) {
                    busy = true;
                    break;
                }
                int length = header & ~(BUSY | DISCARD);
                long next = cons + ((length + HEADER_SIZE + 7) & ~7L);
                if ((header & DISCARD) == 0) {
                    try {
                        // One segment for every record: nothing is allocated per record.
                        handler.onRecord(data, offset + HEADER_SIZE, length);
                    } catch (Throwable t) {
                        commit(next);
                        throw t;
                    }
                    delivered++;
                }
                cons = next;
            }
            commit(cons);
            // A BUSY record is committed later, and the producer wakes epoll then because our
            // consumer_pos points at it.
            if (busy || guard.isClosed()) return delivered;
            // The producer decides whether to wake us by reading consumer_pos after writing
            // producer_pos; we read producer_pos after writing consumer_pos. Without a full fence
            // both could see stale values and a record would sit unannounced until the next one.
            VarHandle.fullFence();
        }
    }

    /**
     * The header at {@code offset}, read with acquire semantics so that the record's bytes are
     * read after its committed length. Headers are 8-byte aligned by the kernel, so a plain read
     * (unaligned layout: no per-read alignment check) followed by an acquire fence is the same
     * access as an acquire load; on x86 the fence only restrains the compiler.
     */
    private int readHeader(long offset) {
        int header = data.get(HEADER, offset);
        VarHandle.acquireFence();
        return header;
    }

    private void commit(long pos) {
        consumerPos = pos;
        POSITION.setRelease(consumer, 0L, pos);
    }
}
