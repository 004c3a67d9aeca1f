package dev.jbcc.perf;

import dev.jbcc.internal.sys.PerfEventAttr;

import dev.jbcc.BpfMap;
import dev.jbcc.Codec;
import dev.jbcc.Collection;
import dev.jbcc.TestRun;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.errors.AlreadyClosedException;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.MapSpec;
import dev.jbcc.spec.MapType;
import dev.jbcc.testing.Allocations;
import dev.jbcc.testing.BpfObjects;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.HostKernelOnly;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Perf buffer reader on the running kernel: a raw tracepoint program
 * (resources/bpf/events/perf.c), test-run on chosen CPUs, writes numbered samples with
 * bpf_perf_event_output.
 */
@ExtendWith(FdLeakCheck.class)
class PerfBufferTest {
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    static final int K64 = 0, K1024 = 1;

    static CollectionSpec spec;

    @BeforeAll
    static void compile() {
        spec = BpfObjects.compile("events/perf.c");
    }

    /** Runs the producer on {@code cpu}: samples [start, start + count) of {@code kind}. */
    static void produce(Collection c, int cpu, long start, long count, int kind) {
        c.variable("start_seq").set(U64, 0, start);
        c.variable("count").set(U64, 0, count);
        c.variable("kind").set(ValueLayout.JAVA_INT, 0, kind);
        // Raw tracepoint test runs take the u64 arguments as context; repeat must be 0.
        assertEquals(0, c.program("produce").testRun(new TestRun(null, 0, new byte[8], 0, 0, 0, 0).onCpu(cpu)).returnValue());
    }

    static long global(Collection c, String name) {
        return c.variable(name).get(U64, 0);
    }

    /** Checks samples per CPU: consecutive sequence numbers from {@code firstSeq[cpu]}, written on that CPU. */
    static final class PerCpuCheck implements SampleHandler {
        final int size;
        final long[] next = new long[1024];
        long count;

        PerCpuCheck(int size, Map<Integer, Long> firstSeq) {
            this.size = size;
            java.util.Arrays.fill(next, -1);
            firstSeq.forEach((cpu, seq) -> next[cpu] = seq);
        }

        @Override
        public void onSample(int cpu, MemorySegment data) {
            // The kernel pads the u32 size plus data to a multiple of 8: 64 -> 68, 1024 -> 1028.
            if (data.byteSize() < size || data.byteSize() >= size + 8) fail("sample of " + data.byteSize() + " bytes");
            long seq = data.get(U64, 0);
            if (seq != next[cpu]) fail("CPU " + cpu + ": sequence number " + seq + ", expected " + next[cpu]);
            if (data.get(U64, 8) != cpu) fail("sample " + seq + " was written on CPU " + data.get(U64, 8) + ", read from " + cpu);
            if (data.get(U64, size - 8) != ~seq) fail("last word of sample " + seq);
            next[cpu] = seq + 1;
            count++;
        }
    }

    /** How many perf events this process has open, from /proc/self/fd. */
    static long openPerfEvents() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals("anon_inode:[perf_event]");
                } catch (IOException gone) {
                    return false; // the directory stream's own fd, closed by now
                }
            }).count();
        }
    }

    @Test
    @HostKernelOnly("perf_event_attr.config3 in the kernel BTF: Linux 6.3")
    void attrAndMmapPageOffsetsMatchTheKernelsBtf() {
        Btf kernel = Btf.kernel();
        int attr = kernel.lookupFirst("perf_event_attr", BtfType.Struct.class).orElseThrow();
        for (var member : PerfEventAttr.LAYOUT.memberLayouts()) {
            if (member.name().isEmpty() || member.name().get().equals("flags")) continue; // padding; the bitfield word
            String name = member.name().get();
            assertEquals(member.byteSize(), kernelSize(kernel, attr, name), name + " size");
            assertEquals(PerfEventAttr.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement(name)) * 8,
                    bitOffset(kernel, attr, name), name + " offset");
        }
        assertEquals(PerfEventAttr.FLAGS * 8, bitOffset(kernel, attr, "disabled"));
        assertEquals(PerfEventAttr.FLAGS * 8 + Long.numberOfTrailingZeros(PerfEventAttr.FLAG_WATERMARK),
                bitOffset(kernel, attr, "watermark"));
        assertTrue(kernel.sizeOf(attr) >= PerfEventAttr.LAYOUT.byteSize());

        int page = kernel.lookupFirst("perf_event_mmap_page", BtfType.Struct.class).orElseThrow();
        assertEquals(PerfEvent.MMAP_DATA_HEAD * 8, bitOffset(kernel, page, "data_head"));
        assertEquals(PerfEvent.MMAP_DATA_TAIL * 8, bitOffset(kernel, page, "data_tail"));
        assertEquals(PerfEvent.MMAP_DATA_OFFSET * 8, bitOffset(kernel, page, "data_offset"));
        assertEquals(PerfEvent.MMAP_DATA_SIZE * 8, bitOffset(kernel, page, "data_size"));

        int header = kernel.lookupFirst("perf_event_header", BtfType.Struct.class).orElseThrow();
        assertEquals(PerfEvent.HEADER_SIZE_FIELD * 8, bitOffset(kernel, header, "size"));
        assertEquals(PerfEvent.HEADER_SIZE, kernel.sizeOf(header));
    }

    /** A member's bit offset, looking into anonymous unions and structs. */
    private static long bitOffset(Btf btf, int composite, String name) {
        long[] found = member(btf, composite, name, 0);
        assertNotNull(found, "no member " + name);
        return found[0];
    }

    private static long kernelSize(Btf btf, int composite, String name) {
        long[] found = member(btf, composite, name, 0);
        assertNotNull(found, "no member " + name);
        return btf.sizeOf((int) found[1]);
    }

    private static long[] member(Btf btf, int composite, String name, long base) {
        if (!(btf.type(btf.resolve(composite)) instanceof BtfType.Composite c)) return null;
        for (BtfType.Member m : c.members()) {
            if (m.name().equals(name)) return new long[] {base + m.bitOffset(), m.type()};
            if (m.name().isEmpty()) {
                long[] inner = member(btf, m.type(), name, base + m.bitOffset());
                if (inner != null) return inner;
            }
        }
        return null;
    }

    @Test
    void millionSampleBurstOnEveryOnlineCpuIsDeliveredCompleteAndInOrderPerCpu() throws IOException {
        final int total = 1_000_000;
        int[] cpus = OnlineCpus.read();
        long perfEventsBefore = openPerfEvents();
        try (Collection c = Collection.load(spec)) {
            Map<Integer, Long> first = new HashMap<>();
            long share = total / cpus.length;
            for (int i = 0; i < cpus.length; i++) first.put(cpus[i], i * share);
            PerCpuCheck check = new PerCpuCheck(64, first);
            // 80 bytes per sample: a 64 MiB ring per CPU holds the whole share.
            var options = PerfBufferOptions.defaults().withBytesPerCpu(64L << 20, Libc.pageSize());
            try (PerfBufferReader reader = PerfBufferReader.open(c.map("events"), options, check,
                    (cpu, lost) -> fail(lost + " samples lost on CPU " + cpu))) {
                assertArrayEquals(cpus, reader.cpus());
                assertEquals(perfEventsBefore + cpus.length, openPerfEvents(), "one perf event per online CPU");
                for (int i = 0; i < cpus.length; i++) {
                    long count = i == cpus.length - 1 ? total - i * share : share;
                    produce(c, cpus[i], i * share, count, K64);
                }
                assertEquals(total, global(c, "sent"));
                assertEquals(0, global(c, "failed"));

                long started = System.nanoTime();
                long delivered = reader.poll(Duration.ofSeconds(30));
                while (check.count < total) {
                    int more = reader.consume();
                    if (more == 0) fail("rings are empty after " + check.count + " samples");
                    delivered += more;
                }
                long elapsed = System.nanoTime() - started;
                assertEquals(total, delivered);
                assertEquals(0, reader.lostCount());
                assertEquals(0, reader.consume(), "nothing is delivered twice");
                System.out.printf("perf buffer: consumed %,d 64-byte samples in %.1f ms (%,.0f samples/s)%n",
                        total, elapsed / 1e6, total / (elapsed / 1e9));
            }
        }
        assertEquals(perfEventsBefore, openPerfEvents(), "close() closed every perf event");
    }

    @Test
    void aFullRingReportsLostSamplesAndLostPlusDeliveredIsExactlyWhatWasProduced() {
        final int total = 10_000;
        int cpu = OnlineCpus.read()[0];
        try (Collection c = Collection.load(spec)) {
            List<Long> seen = new ArrayList<>();
            List<long[]> lostRecords = new ArrayList<>();
            try (PerfBufferReader reader = PerfBufferReader.open(c.map("events"),
                    PerfBufferOptions.defaults().withPagesPerCpu(2),
                    (onCpu, data) -> seen.add(data.get(U64, 0)),
                    (onCpu, lost) -> lostRecords.add(new long[] {onCpu, lost}))) {
                produce(c, cpu, 0, total, K64);
                long failed = global(c, "failed");
                assertTrue(failed > 0, "8 KiB cannot hold 10,000 samples of 80 bytes");
                assertEquals(total, global(c, "sent") + failed);

                int delivered = reader.consume();
                assertEquals(total - failed, delivered);
                // The kernel writes its PERF_RECORD_LOST just before the next sample that fits.
                assertEquals(0, reader.lostCount(), "no sample since the ring filled up");
                produce(c, cpu, total, 1, K64);
                assertEquals(1, reader.consume());

                assertEquals(failed, reader.lostCount(), "the kernel's count equals the program's failed outputs");
                assertEquals(total, delivered + reader.lostCount(), "delivered + lost == produced");
                assertEquals(1, lostRecords.size());
                assertEquals(cpu, lostRecords.getFirst()[0]);
                assertEquals(failed, lostRecords.getFirst()[1]);
                // With nobody reading, the ring kept the first samples; the flush sample came last.
                for (int i = 0; i < delivered; i++) assertEquals(i, seen.get(i));
                assertEquals(total, seen.getLast());
            }
        }
    }

    @Test
    void kibSamplesThatWrapAroundTheRingEndArriveWhole() {
        int cpu = OnlineCpus.read()[OnlineCpus.read().length - 1];
        try (Collection c = Collection.load(spec)) {
            PerCpuCheck check = new PerCpuCheck(1024, Map.of(cpu, 0L));
            // 1040-byte records in a 16 KiB ring: many start near the end and continue at the start.
            try (PerfBufferReader reader = PerfBufferReader.open(c.map("events"),
                    PerfBufferOptions.defaults().withPagesPerCpu(4), check, null)) {
                for (int round = 0; round < 200; round++) {
                    produce(c, cpu, round * 5L, 5, K1024);
                    assertEquals(5, reader.consume());
                }
                assertEquals(1000, check.count);
                assertEquals(0, reader.lostCount());
            }
        }
    }

    @Test
    void aVirtualThreadDrainsWhileTheProducerRunsOnAlternatingCpus() throws Exception {
        final int total = 200_000, chunk = 2000;
        int[] cpus = OnlineCpus.read();
        record Sample(long seq, long cpu) {}
        try (Collection c = Collection.load(spec)) {
            AtomicLong delivered = new AtomicLong();
            Map<Integer, Long> lastSeq = new HashMap<>();
            AtomicReference<String> disorder = new AtomicReference<>();
            var options = PerfBufferOptions.defaults().withPagesPerCpu(256).withWatermark(16 * 1024);
            try (PerfBufferReader reader = PerfBufferReader.open(c.map("events"), options,
                    Codec.ofRecord(Sample.class, java.lang.invoke.MethodHandles.lookup()), (sample, cpu) -> {
                        Long last = lastSeq.put(cpu, sample.seq());
                        if (last != null && sample.seq() <= last) disorder.set("CPU " + cpu + ": " + sample.seq() + " after " + last);
                        if (sample.cpu() != cpu) disorder.set("sample " + sample.seq() + " written on " + sample.cpu() + " read from " + cpu);
                        delivered.incrementAndGet();
                    }, (cpu, lost) -> disorder.set(lost + " lost on CPU " + cpu))) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                Thread consumer = Thread.ofVirtual().start(() -> {
                    try {
                        // Below the watermark nothing wakes the reader: the timeout delivers the rest.
                        while (delivered.get() < total) reader.poll(Duration.ofMillis(50));
                        done.complete(null);
                    } catch (Throwable t) {
                        done.completeExceptionally(t);
                    }
                });
                for (int produced = 0, i = 0; produced < total; produced += chunk, i++) {
                    // Keep the consumer within a few chunks (well inside 1 MiB per CPU), so nothing is lost.
                    while (produced - delivered.get() > 4L * chunk) Thread.sleep(1);
                    produce(c, cpus[i % cpus.length], produced, chunk, K64);
                }
                done.get(2, TimeUnit.MINUTES);
                consumer.join();
                assertNull(disorder.get());
                assertEquals(total, delivered.get());
                assertEquals(0, reader.lostCount());
            }
        }
    }

    @Test
    void closingWhileAnotherThreadPollsEndsThatPollAndRemovesTheEventsFromTheMap() throws Exception {
        long perfEventsBefore = openPerfEvents();
        try (Collection c = Collection.load(spec)) {
            int cpu = OnlineCpus.read()[0];
            AtomicLong seen = new AtomicLong();
            PerfBufferReader reader = PerfBufferReader.open(c.map("events"), (onCpu, data) -> seen.incrementAndGet());
            AtomicReference<Throwable> ended = new AtomicReference<>();
            CompletableFuture<Void> started = new CompletableFuture<>();
            Thread poller = Thread.ofPlatform().start(() -> {
                try {
                    started.complete(null);
                    while (true) reader.poll();
                } catch (Throwable t) {
                    ended.set(t);
                }
            });
            started.get(1, TimeUnit.MINUTES);
            produce(c, cpu, 0, 5, K64);
            while (seen.get() < 5) Thread.onSpinWait();
            reader.close();
            poller.join(TimeUnit.MINUTES.toMillis(1));
            assertFalse(poller.isAlive());
            assertInstanceOf(AlreadyClosedException.class, ended.get());
            assertThrows(AlreadyClosedException.class, reader::consume);
            reader.close();
            assertEquals(perfEventsBefore, openPerfEvents(), "every perf event is closed");

            long failedBefore = global(c, "failed");
            produce(c, cpu, 5, 3, K64);
            assertEquals(failedBefore + 3, global(c, "failed"), "the map no longer holds the closed reader's events");
        }
    }

    /** {@link PerCpuCheck} for the raw handler; also counts samples read from the wrap-around scratch buffer. */
    static final class RawPerCpuCheck implements RawSampleHandler {
        final int size;
        final long ringBytes;
        final long[] next = new long[1024];
        long count;
        long wrapped;

        RawPerCpuCheck(int size, long ringBytes, Map<Integer, Long> firstSeq) {
            this.size = size;
            this.ringBytes = ringBytes;
            java.util.Arrays.fill(next, -1);
            firstSeq.forEach((cpu, seq) -> next[cpu] = seq);
        }

        @Override
        public void onSample(int cpu, MemorySegment buffer, long offset, int length) {
            if (length < size || length >= size + 8) fail("sample of " + length + " bytes");
            if (!buffer.isReadOnly()) fail("a writable buffer");
            // The CPU's ring is exactly ringBytes long; the scratch buffer for wrapped samples is not.
            if (buffer.byteSize() != ringBytes) wrapped++;
            else if (offset + length > ringBytes) fail("sample at " + offset + " runs past the ring's end");
            long seq = buffer.get(U64, offset);
            if (seq != next[cpu]) fail("CPU " + cpu + ": sequence number " + seq + ", expected " + next[cpu]);
            if (buffer.get(U64, offset + 8) != cpu) fail("sample " + seq + " was written on CPU " + buffer.get(U64, offset + 8) + ", read from " + cpu);
            if (buffer.get(U64, offset + size - 8) != ~seq) fail("last word of sample " + seq);
            next[cpu] = seq + 1;
            count++;
        }
    }

    @Test
    void theRawHandlerGetsEverySampleOfBurstsOnEveryCpuWithoutAllocating() {
        final int total = 500_000;
        int[] cpus = OnlineCpus.read();
        long ringBytes = 64L << 20;
        try (Collection c = Collection.load(spec)) {
            Map<Integer, Long> first = new HashMap<>();
            long share = total / cpus.length;
            for (int i = 0; i < cpus.length; i++) first.put(cpus[i], i * share);
            RawPerCpuCheck check = new RawPerCpuCheck(64, ringBytes, first);
            var options = PerfBufferOptions.defaults().withBytesPerCpu(ringBytes, Libc.pageSize());
            try (PerfBufferReader reader = PerfBufferReader.open(c.map("events"), options, check,
                    (cpu, lost) -> fail(lost + " samples lost on CPU " + cpu))) {
                // Round one warms up the consumer (the JIT compiles it); round two is measured.
                for (int round = 0; round < 2; round++) {
                    for (int i = 0; i < cpus.length; i++) {
                        long count = i == cpus.length - 1 ? total - i * share : share;
                        produce(c, cpus[i], round * total + i * share, count, K64);
                    }
                    // Each round continues where the last one ended on each CPU: shift the expected numbers.
                    if (round == 1) for (int i = 0; i < cpus.length; i++) check.next[cpus[i]] = total + i * share;
                    long allocatedBefore = Allocations.allocatedBytes();
                    long delivered = 0;
                    while (delivered < total) {
                        int more = reader.consume();
                        if (more == 0) fail("rings are empty after " + delivered + " samples of round " + round);
                        delivered += more;
                    }
                    long allocated = Allocations.allocatedBytes() - allocatedBefore;
                    assertEquals(total, delivered);
                    assertEquals((round + 1L) * total, check.count);
                    if (round == 1) {
                        System.out.printf("perf buffer, raw handler: %,d bytes allocated for %,d samples%n", allocated, total);
                        // Slices would take at least 8 MB here; allow a few stray objects.
                        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated while consuming " + total + " samples");
                    }
                }
                assertEquals(0, check.wrapped, "64 MiB per CPU never wraps in 1M samples of 80 bytes");
                assertEquals(0, reader.lostCount());
                assertEquals(0, reader.consume(), "nothing is delivered twice");
            }
        }
    }

    @Test
    void theRawHandlerGetsKibSamplesThatWrapAroundTheRingEndWholeFromTheScratchBuffer() {
        int cpu = OnlineCpus.read()[OnlineCpus.read().length - 1];
        try (Collection c = Collection.load(spec)) {
            long ringBytes = 4 * Libc.pageSize();
            RawPerCpuCheck check = new RawPerCpuCheck(1024, ringBytes, Map.of(cpu, 0L));
            try (PerfBufferReader reader = PerfBufferReader.open(c.map("events"),
                    PerfBufferOptions.defaults().withPagesPerCpu(4), check, null)) {
                for (int round = 0; round < 200; round++) {
                    produce(c, cpu, round * 5L, 5, K1024);
                    assertEquals(5, reader.consume());
                }
                assertEquals(1000, check.count);
                // 1040-byte records in a 16 KiB ring: about one in sixteen straddles its end.
                assertTrue(check.wrapped > 0 && check.wrapped < check.count, check.wrapped + " wrapped samples");
                assertEquals(0, reader.lostCount());
            }
        }
    }

    @Test
    void closingWhileAnotherThreadPollsWithARawHandlerEndsThatPoll() throws Exception {
        long perfEventsBefore = openPerfEvents();
        try (Collection c = Collection.load(spec)) {
            int cpu = OnlineCpus.read()[0];
            AtomicLong seen = new AtomicLong();
            AtomicReference<MemorySegment> kept = new AtomicReference<>();
            PerfBufferReader reader = PerfBufferReader.open(c.map("events"), (RawSampleHandler) (onCpu, buffer, offset, length) -> {
                kept.set(buffer);
                seen.incrementAndGet();
            });
            AtomicReference<Throwable> ended = new AtomicReference<>();
            CompletableFuture<Void> started = new CompletableFuture<>();
            Thread poller = Thread.ofPlatform().start(() -> {
                try {
                    started.complete(null);
                    while (true) reader.poll();
                } catch (Throwable t) {
                    ended.set(t);
                }
            });
            started.get(1, TimeUnit.MINUTES);
            produce(c, cpu, 0, 5, K64);
            while (seen.get() < 5) Thread.onSpinWait();
            reader.close();
            poller.join(TimeUnit.MINUTES.toMillis(1));
            assertFalse(poller.isAlive());
            assertInstanceOf(AlreadyClosedException.class, ended.get());
            assertEquals(5, seen.get());
            assertEquals(perfEventsBefore, openPerfEvents(), "every perf event is closed");
            // The ring outlived its mapping: reading it is an exception, not a crash.
            assertThrows(IllegalStateException.class, () -> kept.get().get(U64, 0));
        }
    }

    @Test
    void aMapThatIsNotAPerfEventArrayIsRefusedByName() {
        try (BpfMap ring = BpfMap.create(MapSpec.of("not_perf", MapType.RINGBUF, 0, 0, 4096))) {
            var e = assertThrows(IllegalArgumentException.class, () -> PerfBufferReader.open(ring, (cpu, d) -> {}));
            assertTrue(e.getMessage().contains("'not_perf' is a RINGBUF, not a PERF_EVENT_ARRAY"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new PerfBufferOptions(3, 1, 0));
        assertTrue(e.getMessage().contains("power of two"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PerfBufferOptions(4, 1, 512));
    }

    @Test
    void cpuListsParse() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 8, 10, 11}, OnlineCpus.parse("0-3,8,10-11\n"));
        assertArrayEquals(new int[] {0}, OnlineCpus.parse("0"));
        assertThrows(dev.jbcc.errors.FormatException.class, () -> OnlineCpus.parse("3-1"));
        assertThrows(dev.jbcc.errors.FormatException.class, () -> OnlineCpus.parse(""));
    }
}
