package dev.jbcc.perf;

import dev.jbcc.BpfMap;
import dev.jbcc.Codec;
import dev.jbcc.errors.AlreadyClosedException;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.EpollSet;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.internal.sys.PerfEventAttr;
import dev.jbcc.internal.sys.PollGuard;
import dev.jbcc.spec.BpfFlags;
import dev.jbcc.spec.MapType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ObjIntConsumer;

import static dev.jbcc.perf.PerfEvent.U16;
import static dev.jbcc.perf.PerfEvent.U32;
import static dev.jbcc.perf.PerfEvent.U64;

/**
 * Reads a {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY} the way bcc's {@code open_perf_buffer} and
 * libbpf's {@code perf_buffer} do: one {@code PERF_COUNT_SW_BPF_OUTPUT} perf event per online
 * CPU, its ring mapped into this process and its fd stored in the map at the CPU's index, all
 * watched by one epoll set. Programs write with
 * {@code bpf_perf_event_output(ctx, &map, BPF_F_CURRENT_CPU, data, size)}.
 *
 * <pre>{@code
 * try (var reader = PerfBufferReader.open(coll.map("events"), PerfBufferOptions.defaults(),
 *         (cpu, data) -> ..., (cpu, lost) -> System.err.println(lost + " lost on CPU " + cpu))) {
 *     while (running) reader.poll(Duration.ofMillis(100));
 * }
 * }</pre>
 *
 * <p><b>Order and loss.</b> Samples arrive in order per CPU; there is no order across CPUs. When
 * a CPU's ring is full the kernel drops the sample and counts it; the count reaches the reader as
 * a PERF_RECORD_LOST record once the ring has room again (written just before the next sample on
 * that CPU), and is passed to the {@link LostHandler} and added to {@link #lostCount()}.
 *
 * <p><b>Threads and closing</b> follow {@link dev.jbcc.ringbuf.RingBufferPoller}: polls are
 * serialized, handlers run on the polling thread, and {@link #close()} from another thread ends
 * a blocked poll with {@link AlreadyClosedException}. Closing removes this reader's events from
 * the map, disables them, unmaps the rings and closes every descriptor; the map stays open.
 */
public final class PerfBufferReader implements AutoCloseable {
    private static final VarHandle POSITION = U64.varHandle().withInvokeExactBehavior();
    // Record fields are read with unaligned layouts: the kernel keeps them 8-byte aligned, and
    // these skip the per-read alignment check (the scratch buffer is aligned too).
    private static final ValueLayout.OfInt U32_UNALIGNED = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfShort U16_UNALIGNED = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong U64_UNALIGNED = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    /** A perf record's size is a u16, so this holds any record that wraps around a ring's end. */
    private static final int SCRATCH_SIZE = 1 << 16;

    private final String mapName;
    private final Fd map;
    private final CpuRing[] rings;
    private final EpollSet epoll;
    private final Arena mappings;
    private final MemorySegment scratch;
    /** The read-only view of {@link #scratch} handed to handlers, made once. */
    private final MemorySegment scratchView;
    private final RawSampleHandler samples;
    private final LostHandler lost;
    private final PollGuard guard;
    private volatile long lostTotal;

    /** One CPU's perf event and ring; touched only under the poll lock. */
    private static final class CpuRing {
        final int cpu;
        final Fd fd;
        final MemorySegment control;
        final MemorySegment data;
        final long size;
        final long mask;
        final long batchBytes;
        long tail;
        boolean inMap;

        CpuRing(int cpu, Fd fd, MemorySegment control, MemorySegment data) {
            this.cpu = cpu;
            this.fd = fd;
            this.control = control;
            this.data = data;
            this.size = data.byteSize();
            this.mask = size - 1;
            this.batchBytes = Math.max(size / 4, 8);
            this.tail = (long) POSITION.getAcquire(control, PerfEvent.MMAP_DATA_TAIL);
        }
    }

    private PerfBufferReader(String mapName, Fd map, CpuRing[] rings, EpollSet epoll, Arena mappings,
                             RawSampleHandler samples, LostHandler lost) {
        this.mapName = mapName;
        this.map = map;
        this.rings = rings;
        this.epoll = epoll;
        this.mappings = mappings;
        this.scratch = mappings.allocate(SCRATCH_SIZE, 8);
        this.scratchView = scratch.asReadOnly();
        this.samples = samples;
        this.lost = lost;
        this.guard = new PollGuard("perf buffer reader", epoll, this::release);
    }

    /** Opens with {@link PerfBufferOptions#defaults()}; lost samples are only counted. */
    public static PerfBufferReader open(BpfMap map, SampleHandler samples) {
        return open(map, PerfBufferOptions.defaults(), samples, null);
    }

    /**
     * As {@link #open(BpfMap, SampleHandler)}, handing each sample to {@code samples} as an offset
     * and length in a segment the reader reuses: the allocation-free path for high sample rates.
     */
    public static PerfBufferReader open(BpfMap map, RawSampleHandler samples) {
        return open(map, PerfBufferOptions.defaults(), samples, null);
    }

    /** As {@link #open(BpfMap, PerfBufferOptions, SampleHandler, LostHandler)}, decoding samples with {@code codec}. */
    public static <T> PerfBufferReader open(BpfMap map, PerfBufferOptions options, Codec<T> codec,
                                            ObjIntConsumer<? super T> consumer, LostHandler lost) {
        return open(map, options, SampleHandler.decoding(codec, consumer), lost);
    }

    /**
     * Opens a perf event and ring on every online CPU below the map's {@code max_entries} and
     * stores the events in {@code map}, replacing what was there.
     *
     * @param lost told of each PERF_RECORD_LOST, or null to only count them
     * @throws IllegalArgumentException if {@code map} is not a PERF_EVENT_ARRAY
     * @throws SyscallException naming the CPU and the cause (privilege, locked-memory limit)
     */
    public static PerfBufferReader open(BpfMap map, PerfBufferOptions options, SampleHandler samples, LostHandler lost) {
        Objects.requireNonNull(samples, "samples");
        return open(map, options, RawSampleHandler.slicing(samples), lost);
    }

    /** As {@link #open(BpfMap, RawSampleHandler)} with {@code options}, telling {@code lost} (if not null) of each loss. */
    public static PerfBufferReader open(BpfMap map, PerfBufferOptions options, RawSampleHandler samples, LostHandler lost) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(samples, "samples");
        if (map.type() != MapType.PERF_EVENT_ARRAY) {
            throw new IllegalArgumentException("map '" + map.name() + "' is a " + map.type()
                    + ", not a PERF_EVENT_ARRAY; ring buffers are read with dev.jbcc.ringbuf.RingBufferReader");
        }
        int[] cpus = OnlineCpus.below(map.maxEntries());
        if (cpus.length == 0) {
            throw new IllegalArgumentException("map '" + map.name() + "' has max_entries " + map.maxEntries()
                    + ", which leaves no online CPU (" + OnlineCpus.text() + ") a slot; create it with max_entries 0"
                    + " (one per possible CPU)");
        }
        Fd mapFd = Handles.of(map).dup();
        Arena arena = Arena.ofShared();
        EpollSet epoll = null;
        List<CpuRing> opened = new ArrayList<>();
        try {
            epoll = EpollSet.create(cpus.length);
            var attr = new PerfEventAttr(arena).type(PerfEventAttr.PERF_TYPE_SOFTWARE)
                    .config(PerfEventAttr.PERF_COUNT_SW_BPF_OUTPUT).samplePeriod(1).sampleType(PerfEventAttr.PERF_SAMPLE_RAW);
            if (options.watermarkBytes() > 0) attr.wakeupWatermark(options.watermarkBytes());
            else attr.wakeupEvents(options.wakeupEvents());
            MemorySegment key = arena.allocate(4, 4), value = arena.allocate(4, 4);
            for (int cpu : cpus) {
                CpuRing ring = openCpu(attr, cpu, options.pagesPerCpu(), arena, map.name());
                opened.add(ring);
                epoll.add(ring.fd, cpu);
                key.set(U32, 0, cpu);
                value.set(U32, 0, ring.fd.raw());
                Bpf.mapUpdateElem(mapFd, key, value, BpfFlags.BPF_ANY);
                ring.inMap = true;
            }
            return new PerfBufferReader(map.name(), mapFd, opened.toArray(CpuRing[]::new), epoll, arena, samples, lost);
        } catch (Throwable t) {
            try {
                closeRings(opened, mapFd, arena);
            } catch (Throwable suppressed) {
                t.addSuppressed(suppressed);
            }
            if (epoll != null) epoll.close();
            PollGuard.closeSpinning(arena);
            mapFd.close();
            throw t;
        }
    }

    @SuppressWarnings("restricted") // the segment is exactly the length mmap was asked for
    private static CpuRing openCpu(PerfEventAttr attr, int cpu, int pages, Arena arena, String mapName) {
        int raw = attr.openErrno(-1, cpu, -1);
        if (raw < 0) {
            int errno = -raw;
            throw new SyscallException("perf_event_open", errno, "BPF output event on CPU " + cpu + " for map '" + mapName
                    + "'" + switch (errno) {
                        case Errno.EACCES, Errno.EPERM -> ": needs root or CAP_PERFMON (see /proc/sys/kernel/perf_event_paranoid)";
                        case Errno.EMFILE -> ": too many open files; raise RLIMIT_NOFILE";
                        case Errno.ENODEV, Errno.ENOENT -> ": the CPU went offline";
                        default -> "";
                    });
        }
        Fd fd = Fd.adopt(raw);
        try {
            long page = Libc.pageSize();
            long length = (1L + pages) * page;
            MemorySegment address;
            try {
                address = Libc.mmap(length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd.raw(), 0,
                        "mmap of the perf ring on CPU " + cpu);
            } catch (SyscallException e) {
                if (e.errno() != Errno.EPERM && e.errno() != Errno.ENOMEM) throw e;
                throw new SyscallException("mmap", e.errno(), pages + " pages for the perf ring on CPU " + cpu
                        + " exceed the locked-memory allowance: use fewer pages per CPU, or raise"
                        + " /proc/sys/kernel/perf_event_mlock_kb or RLIMIT_MEMLOCK (root with CAP_IPC_LOCK is exempt)");
            }
            MemorySegment all = address.reinterpret(length, arena, s -> Libc.retire(s, length));
            MemorySegment control = all.asSlice(0, page);
            // The kernel reports where the data starts and how long it is; use what it says.
            long dataOffset = control.get(U64, PerfEvent.MMAP_DATA_OFFSET);
            long dataSize = control.get(U64, PerfEvent.MMAP_DATA_SIZE);
            if (dataOffset == 0) dataOffset = page; // kernels before 4.1 leave these zero
            if (dataSize == 0) dataSize = pages * page;
            return new CpuRing(cpu, fd, control, all.asSlice(dataOffset, dataSize).asReadOnly());
        } catch (Throwable t) {
            fd.close();
            throw t;
        }
    }

    /**
     * Waits up to {@code timeout} for a CPU's ring to reach its wake-up threshold (or for
     * {@link #wakeup()}), then consumes every ring, so records below the threshold are delivered
     * too once the wait ends.
     *
     * @return samples delivered
     * @throws AlreadyClosedException if the reader is closed, before or during the wait
     */
    public int poll(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout " + timeout);
        long millis = timeout.isZero() ? 0 : Math.min(Integer.MAX_VALUE, (timeout.toNanos() + 999_999) / 1_000_000);
        return poll((int) millis);
    }

    /** Waits without limit for data, {@link #wakeup()} or {@link #close()}. */
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
            for (CpuRing ring : rings) {
                delivered += consume(ring);
                guard.checkOpen();
            }
            return delivered;
        } finally {
            guard.exit();
        }
    }

    private int consume(CpuRing ring) {
        MemorySegment data = ring.data;
        long tail = ring.tail;
        int delivered = 0;
        while (true) {
            long head = (long) POSITION.getAcquire(ring.control, PerfEvent.MMAP_DATA_HEAD);
            if (tail >= head) return delivered;
            long batchEnd = Math.min(head, tail + ring.batchBytes);
            while (tail < batchEnd) {
                long offset = tail & ring.mask;
                // Records are multiples of 8 bytes, so a header never straddles the ring's end.
                int type = data.get(U32_UNALIGNED, offset + PerfEvent.HEADER_TYPE);
                int size = Short.toUnsignedInt(data.get(U16_UNALIGNED, offset + PerfEvent.HEADER_SIZE_FIELD));
                if (size < PerfEvent.HEADER_SIZE || (size & 7) != 0) {
                    commit(ring, head);
                    throw new FormatException("perf ring of CPU " + ring.cpu + " holds a record of size " + size
                            + " at position " + tail + "; skipped to the head");
                }
                // The record in one piece: in the ring itself, or (rarely) copied out of both ends.
                MemorySegment buffer = data;
                long start = offset;
                if (offset + size > ring.size) {
                    unwrap(ring, offset, size);
                    buffer = scratchView;
                    start = 0;
                }
                long next = tail + size;
                try {
                    if (type == PerfEvent.PERF_RECORD_SAMPLE) {
                        // u32 raw size, then the raw bytes; the size must fit in the record.
                        long rawSize = Integer.toUnsignedLong(buffer.get(U32_UNALIGNED, start + PerfEvent.HEADER_SIZE));
                        if (rawSize > size - PerfEvent.HEADER_SIZE - 4) {
                            throw new FormatException("perf sample on CPU " + ring.cpu + " claims " + rawSize
                                    + " raw bytes in a record of " + size + " bytes at position " + tail + "; skipped");
                        }
                        samples.onSample(ring.cpu, buffer, start + PerfEvent.HEADER_SIZE + 4, (int) rawSize);
                        delivered++;
                    } else if (type == PerfEvent.PERF_RECORD_LOST) {
                        long count = buffer.get(U64_UNALIGNED, start + PerfEvent.HEADER_SIZE + 8); // after the u64 id
                        lostTotal += count; // one writer (the poll lock holder); volatile for readers
                        if (lost != null) lost.onLost(ring.cpu, count);
                    }
                    // Other record types (throttling, ...) carry nothing for us.
                } catch (Throwable t) {
                    commit(ring, next);
                    throw t;
                }
                tail = next;
            }
            commit(ring, tail);
            if (guard.isClosed()) return delivered;
        }
    }

    /** Copies a record that runs past the end of the ring to the start of the scratch buffer, in one piece. */
    private void unwrap(CpuRing ring, long offset, int size) {
        long first = ring.size - offset;
        MemorySegment.copy(ring.data, offset, scratch, 0, first);
        MemorySegment.copy(ring.data, 0, scratch, first, size - first);
    }

    private static void commit(CpuRing ring, long tail) {
        ring.tail = tail;
        // Release: our reads of the records happen before the kernel may overwrite them.
        POSITION.setRelease(ring.control, PerfEvent.MMAP_DATA_TAIL, tail);
    }

    /** Samples the kernel reported lost (PERF_RECORD_LOST) so far, over all CPUs. */
    public long lostCount() {
        return lostTotal;
    }

    /** The CPUs this reader has a ring for, in order. */
    public int[] cpus() {
        int[] cpus = new int[rings.length];
        for (int i = 0; i < rings.length; i++) cpus[i] = rings[i].cpu;
        return cpus;
    }

    /** Makes a current or the next {@link #poll} return early. */
    public void wakeup() {
        epoll.wake();
    }

    public boolean isClosed() {
        return guard.isClosed();
    }

    /** Removes the events from the map, disables and closes them, unmaps the rings. Idempotent. */
    @Override
    public void close() {
        guard.close();
    }

    /** Runs once, under the poll lock. */
    private void release() {
        try {
            closeRings(List.of(rings), map, mappings);
        } finally {
            epoll.close();
            PollGuard.closeSpinning(mappings);
            map.close();
        }
    }

    private static void closeRings(List<CpuRing> rings, Fd map, Arena arena) {
        RuntimeException failure = null;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment key = scratch.allocate(4, 4);
            for (CpuRing ring : rings) {
                try {
                    // Programs stop finding the event before it goes away.
                    if (ring.inMap) {
                        key.set(U32, 0, ring.cpu);
                        Bpf.mapDeleteElem(map, key);
                    }
                    int rc = Libc.ioctl(ring.fd.raw(), PerfEventAttr.PERF_EVENT_IOC_DISABLE, 0);
                    if (rc < 0) throw new SyscallException("ioctl(PERF_EVENT_IOC_DISABLE) on CPU " + ring.cpu, -rc);
                } catch (RuntimeException e) {
                    if (failure == null) failure = e;
                    else failure.addSuppressed(e);
                } finally {
                    ring.fd.close();
                }
            }
        }
        if (failure != null) throw failure;
    }

    @Override
    public String toString() {
        return "PerfBufferReader[map '" + mapName + "', " + rings.length + " CPUs" + (isClosed() ? ", closed" : "") + "]";
    }
}
