package dev.jbcc.ringbuf;

import dev.jbcc.BpfMap;
import dev.jbcc.Collection;
import dev.jbcc.Program;
import dev.jbcc.TestRun;
import dev.jbcc.errors.AlreadyClosedException;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.MapSpec;
import dev.jbcc.spec.MapType;
import dev.jbcc.testing.Allocations;
import dev.jbcc.testing.BpfObjects;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Ring buffer reader on the running kernel: a syscall program (resources/bpf/events/ringbuf.c)
 * run with BPF_PROG_TEST_RUN produces numbered records; the reader must hand back each one,
 * once, in order.
 */
@ExtendWith(FdLeakCheck.class)
class RingBufferTest {
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    static final int K64 = 0, K1024 = 1, K13 = 2, K64_DISCARD_THIRD = 3, KEVENT = 4;
    static final int MIB = 1 << 20;

    static CollectionSpec spec;

    @BeforeAll
    static void compile() {
        spec = BpfObjects.compile("events/ringbuf.c");
    }

    /** Loads the producer with both rings resized to {@code ringBytes}. */
    static Collection load(int ringBytes) {
        return Collection.load(spec.withMap(spec.map("events").withMaxEntries(ringBytes))
                .withMap(spec.map("other").withMaxEntries(ringBytes)));
    }

    /**
     * Runs the producer once: records [start, start + count) of {@code kind}; returns how many
     * it committed. With {@code stopWhenFull} it stops at the first full ring and leaves the next
     * sequence number in the {@code next_seq} global.
     */
    static int produce(Program producer, long start, long count, int kind, boolean stopWhenFull, int ring) {
        ByteBuffer ctx = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        ctx.putLong(start).putLong(count).putInt(kind).putInt(stopWhenFull ? 1 : 0).putInt(ring).putInt(0);
        // Syscall programs take a context only: repeat, flags and cpu must be 0.
        return producer.testRun(new TestRun(null, 0, ctx.array(), 0, 0, 0, 0)).returnValue();
    }

    /** Produces [0, total) in chunks, retrying from next_seq whenever the ring is full. */
    static void produceAll(Collection c, long total, int kind, int chunk) {
        Program producer = c.program("produce");
        MemorySegment nextSeq = c.variable("next_seq");
        long next = 0;
        while (next < total) {
            int emitted = produce(producer, next, Math.min(chunk, total - next), kind, true, 0);
            long reached = nextSeq.get(U64, 0);
            assertEquals(next + emitted, reached, "the producer stops exactly at its first failed reserve");
            next = reached;
            if (emitted == 0) Thread.onSpinWait();
        }
    }

    /** Checks each record against the sequence number it should carry, in order. */
    static final class SequenceCheck implements RecordHandler {
        final int size;
        long expected;
        long count;

        SequenceCheck(int size) {
            this.size = size;
        }

        @Override
        public void onRecord(MemorySegment record) {
            if (record.byteSize() != size) fail("record of " + record.byteSize() + " bytes, reserved " + size);
            long seq = record.get(U64, 0);
            if (seq != expected) fail("record " + count + " has sequence number " + seq + ", expected " + expected);
            if (record.get(U64, size - 8) != ~seq) fail("last word of record " + seq);
            expected++;
            count++;
        }
    }

    @Test
    void millionRecordBurstOf64ByteRecordsIsDeliveredCompleteAndInOrder() {
        final int total = 1_000_000;
        var check = new Object() { final SequenceCheck seq = new SequenceCheck(64); };
        try (Collection c = load(128 * MIB);
             RingBufferReader reader = RingBufferReader.open(c.map("events"), check.seq)) {
            assertEquals(total, produce(c.program("produce"), 0, total, K64, false, 0),
                    "one test run commits the whole burst into a 128 MiB ring");
            assertEquals(0, c.variable("dropped").get(U64, 0));
            assertEquals(72L * total, reader.pending(), "8-byte header + 64 bytes per record");

            long started = System.nanoTime();
            int delivered = reader.poll(Duration.ofSeconds(30));
            while (check.seq.count < total) {
                int more = reader.consume();
                if (more == 0) fail("ring is empty after " + check.seq.count + " records");
                delivered += more;
            }
            long elapsed = System.nanoTime() - started;
            assertEquals(total, delivered);
            assertEquals(total, check.seq.count);
            assertEquals(0, reader.pending());
            assertEquals(0, reader.consume(), "nothing is delivered twice");
            System.out.printf("ring buffer: consumed %,d 64-byte records in %.1f ms (%,.0f records/s)%n",
                    total, elapsed / 1e6, total / (elapsed / 1e9));
        }
    }

    @Test
    void millionKibRecordsStreamThroughASmallerRingWhileAPlatformThreadDrains() throws Exception {
        final int total = 1_000_000;
        try (Collection c = load(16 * MIB)) {
            SequenceCheck check = new SequenceCheck(1024);
            try (RingBufferReader draining = RingBufferReader.open(c.map("events"), check)) {
                CompletableFuture<Long> consumer = new CompletableFuture<>();
                Thread thread = Thread.ofPlatform().name("ringbuf-consumer").start(() -> drain(draining, check, total, consumer));
                long started = System.nanoTime();
                produceAll(c, total, K1024, 65_536);
                assertEquals(total, consumer.get(2, TimeUnit.MINUTES));
                long elapsed = System.nanoTime() - started;
                thread.join();
                assertEquals(0, c.variable("dropped").get(U64, 0));
                System.out.printf("ring buffer: streamed %,d 1 KiB records through 16 MiB in %.1f ms (%,.0f records/s)%n",
                        total, elapsed / 1e6, total / (elapsed / 1e9));
            }
        }
    }

    private static void drain(RingBufferReader reader, SequenceCheck check, long total, CompletableFuture<Long> done) {
        try {
            while (check.count < total) reader.poll(Duration.ofMillis(200));
            done.complete(check.count);
        } catch (Throwable t) {
            done.completeExceptionally(t);
        }
    }

    @Test
    void aVirtualThreadConsumerReceivesEveryRecord() throws Exception {
        final int total = 200_000;
        try (Collection c = load(MIB)) {
            SequenceCheck check = new SequenceCheck(64);
            try (RingBufferReader reader = RingBufferReader.open(c.map("events"), check)) {
                CompletableFuture<Long> consumer = new CompletableFuture<>();
                Thread thread = Thread.ofVirtual().name("ringbuf-virtual").start(() -> drain(reader, check, total, consumer));
                assertTrue(thread.isVirtual());
                produceAll(c, total, K64, 4096);
                assertEquals(total, consumer.get(2, TimeUnit.MINUTES));
                thread.join();
            }
        }
    }

    @Test
    void aFullRingDropsRecordsAndDeliveredPlusDroppedIsExactlyWhatWasProduced() {
        final int total = 10_000;
        try (Collection c = load(16 * 1024)) {
            SequenceCheck check = new SequenceCheck(64);
            try (RingBufferReader reader = RingBufferReader.open(c.map("events"), check)) {
                int committed = produce(c.program("produce"), 0, total, K64, false, 0);
                long dropped = c.variable("dropped").get(U64, 0);
                assertTrue(dropped > 0, "a 16 KiB ring cannot hold 10,000 records of 72 bytes");
                assertEquals(total, committed + dropped, "the program counts every failed reserve");

                int delivered = reader.consume();
                assertEquals(committed, delivered);
                assertEquals(total, delivered + dropped, "delivered + dropped == produced");
                // Nothing was consumed during the burst, so the ring kept the first records.
                assertEquals(delivered, check.expected);
            }
        }
    }

    @Test
    void oddSizedRecordsAreEightByteAlignedAndDiscardedRecordsAreSkipped() {
        try (Collection c = load(16 * 1024)) {
            Program producer = c.program("produce");
            // 13-byte records take 24 bytes each; 400 rounds of 50 wrap the 16 KiB ring many times.
            var thirteen = new Object() {
                long expected;
                long alignmentViolations;
            };
            try (RingBufferReader reader = RingBufferReader.open(c.map("events"), record -> {
                assertEquals(13, record.byteSize(), "the length as reserved, without padding");
                if (record.address() % 8 != 0) thirteen.alignmentViolations++;
                long seq = record.get(U64, 0);
                assertEquals(thirteen.expected, seq);
                assertEquals((byte) (seq * 7), record.get(ValueLayout.JAVA_BYTE, 12));
                thirteen.expected++;
            })) {
                for (int round = 0; round < 400; round++) {
                    assertEquals(50, produce(producer, round * 50L, 50, K13, false, 0));
                    assertEquals(50, reader.consume());
                }
            }
            assertEquals(20_000, thirteen.expected);
            assertEquals(0, thirteen.alignmentViolations, "every record starts 8-byte aligned after its header");

            // 1 KiB records (1032 bytes with the header) do not divide 16 KiB: some straddle the
            // end of the ring and must still read as one contiguous record.
            SequenceCheck kib = new SequenceCheck(1024);
            try (RingBufferReader reader = RingBufferReader.open(c.map("events"), kib)) {
                for (int round = 0; round < 300; round++) {
                    assertEquals(10, produce(producer, round * 10L, 10, K1024, false, 0));
                    assertEquals(10, reader.consume());
                }
            }
            assertEquals(3000, kib.count);

            List<Long> kept = new ArrayList<>();
            try (RingBufferReader reader = RingBufferReader.open(c.map("events"), r -> kept.add(r.get(U64, 0)))) {
                assertEquals(90, produce(producer, 0, 90, K64_DISCARD_THIRD, false, 0));
                assertEquals(60, reader.consume(), "discarded records are skipped");
            }
            for (int i = 0; i < kept.size(); i++) assertNotEquals(2, kept.get(i) % 3, "record " + kept.get(i) + " was discarded");
            assertEquals(List.of(0L, 1L, 3L, 4L, 6L), kept.subList(0, 5));
            assertEquals(0, c.variable("dropped").get(U64, 0));
        }
    }

    @Test
    void severalRingsShareOnePoller() {
        final int total = 100_000;
        try (Collection c = load(4 * MIB)) {
            List<Long> even = new ArrayList<>(), odd = new ArrayList<>();
            try (RingBufferPoller poller = RingBufferPoller.create()
                    .add(c.map("events"), r -> even.add(r.get(U64, 0)))
                    .add(c.map("other"), r -> odd.add(r.get(U64, 0)))) {
                assertEquals(2, poller.size());
                assertEquals(0, poller.poll(Duration.ofMillis(1)), "nothing produced yet");
                assertEquals(total, produce(c.program("produce"), 0, total, K64, false, 2));
                int delivered = 0;
                while (delivered < total) {
                    int n = poller.poll(Duration.ofSeconds(10));
                    if (n == 0) fail("poll timed out after " + delivered + " records");
                    delivered += n;
                }
                assertEquals(total, delivered);
            }
            assertEquals(total / 2, even.size());
            assertEquals(total / 2, odd.size());
            for (int i = 0; i < total / 2; i++) {
                if (even.get(i) != 2L * i) fail("events ring, record " + i + ": " + even.get(i));
                if (odd.get(i) != 2L * i + 1) fail("other ring, record " + i + ": " + odd.get(i));
            }
        }
    }

    @Test
    void closingWhileAnotherThreadPollsEndsThatPollWithAlreadyClosedException() throws Exception {
        try (Collection c = load(64 * 1024)) {
            AtomicLong seen = new AtomicLong();
            RingBufferReader reader = RingBufferReader.open(c.map("events"), r -> seen.incrementAndGet());
            AtomicReference<Throwable> ended = new AtomicReference<>();
            CompletableFuture<Void> polling = new CompletableFuture<>();
            Thread poller = Thread.ofPlatform().name("ringbuf-poller").start(() -> {
                try {
                    polling.complete(null);
                    while (true) reader.poll(); // no time limit: only close() can end this
                } catch (Throwable t) {
                    ended.set(t);
                }
            });
            polling.get(1, TimeUnit.MINUTES);
            produce(c.program("produce"), 0, 10, K64, false, 0);
            while (seen.get() < 10) Thread.onSpinWait();
            reader.close();
            poller.join(TimeUnit.MINUTES.toMillis(1));
            assertFalse(poller.isAlive());
            assertInstanceOf(AlreadyClosedException.class, ended.get());
            assertEquals("ring buffer poller is closed", ended.get().getMessage());
            assertTrue(reader.isClosed());
            assertThrows(AlreadyClosedException.class, reader::consume);
            assertThrows(AlreadyClosedException.class, () -> reader.poll(Duration.ofMillis(1)));
            reader.wakeup();
            reader.close();
            assertEquals(10, seen.get());
            assertFalse(c.map("events").isClosed(), "the reader never closes the map itself");
        }
    }

    @Test
    void closingFromAHandlerEndsThePollAndAViewKeptPastCloseFailsCleanly() {
        try (Collection c = load(64 * 1024)) {
            AtomicReference<MemorySegment> kept = new AtomicReference<>();
            AtomicReference<RingBufferReader> self = new AtomicReference<>();
            RingBufferReader reader = RingBufferReader.open(c.map("events"), r -> {
                kept.set(r);
                self.get().close();
            });
            self.set(reader);
            produce(c.program("produce"), 0, 3, K64, false, 0);
            assertThrows(AlreadyClosedException.class, reader::consume);
            assertTrue(reader.isClosed());
            // The view outlived its callback and its mapping: reading it is an exception, not a crash.
            assertThrows(IllegalStateException.class, () -> kept.get().get(U64, 0));
        }
    }

    @Test
    void decodedRecordsThroughACodecBuiltFromTheProgramsBtf() throws Exception {
        record Addr(short port, byte proto) {}
        record Event(long seq, int pid, int delta, @dev.jbcc.Codec.Length(16) byte[] comm, Addr addr) {}
        var btf = spec.btf();
        int eventType = btf.lookupFirst("event", dev.jbcc.btf.BtfType.Struct.class).orElseThrow();
        var codec = dev.jbcc.Codec.ofRecord(Event.class, btf, eventType);
        String comm = threadComm();
        try (Collection c = load(64 * 1024)) {
            List<Event> events = new ArrayList<>();
            try (RingBufferReader reader = RingBufferReader.open(c.map("events"), codec, events::add)) {
                assertEquals(5, produce(c.program("produce"), 40, 5, KEVENT, false, 0));
                assertEquals(5, reader.consume());
            }
            for (int i = 0; i < 5; i++) {
                Event e = events.get(i);
                assertEquals(40 + i, e.seq());
                assertEquals(ProcessHandle.current().pid(), e.pid());
                assertEquals(-(40 + i), e.delta());
                assertEquals(comm, cString(e.comm()));
                assertEquals((short) (8080 + 40 + i), e.addr().port());
                assertEquals(6, e.addr().proto());
            }
        }
    }

    @Test
    void aStructViewReadsMembersByNameWithoutAJavaRecord() throws Exception {
        dev.jbcc.StructView event = dev.jbcc.StructView.of(spec.btf(), "event");
        assertEquals(List.of("seq", "pid", "delta", "comm", "addr", "flags", "level"), List.copyOf(event.memberNames()));
        String comm = threadComm();
        try (Collection c = load(64 * 1024)) {
            List<String> zeroCopy = new ArrayList<>();
            List<dev.jbcc.StructView> copies = new ArrayList<>();
            var codec = event.codec();
            try (RingBufferReader reader = RingBufferReader.open(c.map("events"), record -> {
                dev.jbcc.StructView e = event.bind(record);   // no copy: read inside the callback
                zeroCopy.add(e.getLong("seq") + " " + e.getString("comm") + " " + e.get("delta"));
                copies.add(codec.decode(record));              // a heap copy that outlives it
            })) {
                assertEquals(3, produce(c.program("produce"), 9, 3, KEVENT, false, 0));
                assertEquals(3, reader.consume());
            }
            assertEquals(List.of("9 " + comm + " -9", "10 " + comm + " -10", "11 " + comm + " -11"), zeroCopy);
            dev.jbcc.StructView last = copies.get(2);
            assertEquals(11L, last.get("seq"));
            assertEquals(ProcessHandle.current().pid(), last.getLong("pid"));
            assertEquals(-11L, last.get("delta"), "__s32 is sign-extended");
            assertEquals(8080L + 11, last.getStruct("addr").get("port"));
            assertEquals(6L, last.getStruct("addr").getLong("proto"));
            assertEquals(11L & 7, last.get("flags"), "3-bit bitfield");
            assertEquals(17L, last.get("level"), "5-bit bitfield after it");
            assertEquals(Map.of("port", 8091L, "proto", 6L), last.toMap().get("addr"));
            assertEquals("event{seq=11, pid=" + ProcessHandle.current().pid() + ", delta=-11, comm=" + comm
                    + ", addr={port=8091, proto=6}, flags=3, level=17}", last.toString());
            var e = assertThrows(IllegalArgumentException.class, () -> last.get("tgid"));
            assertTrue(e.getMessage().contains("event has no member 'tgid'; it has [seq, pid"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> last.getString("seq"));
            assertThrows(IllegalStateException.class, () -> event.get("seq"), "an unbound view has no memory to read");
        }
    }

    @Test
    void recordsFromARawTracepointOnRealSyscallsArriveWhileAVirtualThreadPolls() throws Exception {
        final int calls = 20_000;
        try (Collection c = Collection.load(BpfObjects.compile("events/ringbuf_sys_enter.c"))) {
            c.variable("target_tgid").set(ValueLayout.JAVA_INT, 0, (int) ProcessHandle.current().pid());
            List<long[]> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            try (RingBufferReader reader = RingBufferReader.open(c.map("calls"),
                         r -> seen.add(new long[] {r.get(U64, 0), r.get(U64, 8)}));
                 dev.jbcc.internal.sys.Fd link = dev.jbcc.internal.sys.Bpf.rawTracepointOpen("sys_enter",
                         Handles.of(c.program("on_sys_enter")), 0)) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                Thread consumer = Thread.ofVirtual().start(() -> {
                    try {
                        while (seen.size() < calls) reader.poll(Duration.ofMillis(100));
                        done.complete(null);
                    } catch (Throwable t) {
                        done.completeExceptionally(t);
                    }
                });
                long tid = Long.parseLong(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat")).split(" ")[0]);
                for (int i = 0; i < calls; i++) {
                    // close() of a negative fd fails with EBADF, but the syscall is entered and traced.
                    assertEquals(-dev.jbcc.errors.Errno.EBADF, dev.jbcc.internal.sys.Libc.close(-1_000_000 - i));
                }
                done.get(2, TimeUnit.MINUTES);
                consumer.join();
                assertEquals(0, c.variable("dropped").get(U64, 0));
                assertEquals(calls, seen.size());
                for (int i = 0; i < calls; i++) {
                    assertEquals(i, seen.get(i)[0], "calls arrive in the order this thread made them");
                    assertEquals(tid, seen.get(i)[1], "made by this thread");
                }
            }
        }
    }

    /** {@link SequenceCheck} for the raw handler: checks offsets, lengths and that one segment serves every record. */
    static class RawSequenceCheck implements RawRecordHandler {
        final int size;
        MemorySegment segment;
        long expected;
        long count;
        long misaligned;

        RawSequenceCheck(int size) {
            this.size = size;
        }

        @Override
        public void onRecord(MemorySegment ring, long offset, int length) {
            if (segment == null) segment = ring;
            else if (ring != segment) fail("record " + count + " came in another segment than the first");
            if (length != size) fail("record of " + length + " bytes, reserved " + size);
            if (offset % 8 != 0) misaligned++;
            long seq = ring.get(U64, offset);
            if (seq != expected) fail("record " + count + " has sequence number " + seq + ", expected " + expected);
            if (ring.get(U64, offset + size - 8) != ~seq) fail("last word of record " + seq);
            expected++;
            count++;
        }
    }

    @Test
    void theRawHandlerGetsEveryRecordOfAMillionBurstInOneSegmentWithoutAllocating() {
        final int total = 1_000_000;
        RawSequenceCheck check = new RawSequenceCheck(64);
        try (Collection c = load(128 * MIB);
             RingBufferReader reader = RingBufferReader.open(c.map("events"), check)) {
            Program producer = c.program("produce");
            // Round one warms up the consumer (the JIT compiles it); round two is measured.
            for (int round = 0; round < 2; round++) {
                assertEquals(total, produce(producer, (long) round * total, total, K64, false, 0));
                long allocatedBefore = Allocations.allocatedBytes();
                long delivered = 0;
                while (delivered < total) {
                    int more = reader.consume();
                    if (more == 0) fail("ring is empty after " + delivered + " records of round " + round);
                    delivered += more;
                }
                long allocated = Allocations.allocatedBytes() - allocatedBefore;
                assertEquals(total, delivered);
                assertEquals((round + 1L) * total, check.count);
                assertEquals(0, reader.pending());
                if (round == 1) {
                    System.out.printf("ring buffer, raw handler: %,d bytes allocated for %,d records%n", allocated, total);
                    // A segment per record would be at least 16 MB here; allow a few stray objects (a poll's bookkeeping).
                    assertTrue(allocated < 64 * 1024, allocated + " bytes allocated while consuming " + total + " records");
                }
            }
            assertEquals(0, check.misaligned, "every record starts 8-byte aligned after its header");
            assertTrue(check.segment.isReadOnly(), "handlers cannot write into the ring");
            assertEquals(0, reader.consume(), "nothing is delivered twice");
        }
    }

    @Test
    void theRawHandlerReadsOddSizedStraddlingAndDiscardedRecordsAsTheSliceHandlerDoes() {
        try (Collection c = load(16 * 1024)) {
            Program producer = c.program("produce");
            var thirteen = new Object() {
                long expected;
            };
            try (RingBufferReader reader = RingBufferReader.open(c.map("events"), (RawRecordHandler) (ring, offset, length) -> {
                assertEquals(13, length, "the length as reserved, without padding");
                long seq = ring.get(U64, offset);
                assertEquals(thirteen.expected, seq);
                assertEquals((byte) (seq * 7), ring.get(ValueLayout.JAVA_BYTE, offset + 12));
                thirteen.expected++;
            })) {
                for (int round = 0; round < 400; round++) {
                    assertEquals(50, produce(producer, round * 50L, 50, K13, false, 0));
                    assertEquals(50, reader.consume());
                }
            }
            assertEquals(20_000, thirteen.expected);

            // 1032-byte records wrap the 16 KiB ring: those that straddle its end are read past it,
            // in the second mapping of the data pages.
            RawSequenceCheck kib = new RawSequenceCheck(1024);
            var straddling = new Object() {
                long count;
            };
            try (RingBufferReader reader = RingBufferReader.open(c.map("events"), (RawRecordHandler) (ring, offset, length) -> {
                if (offset + length > 16 * 1024) straddling.count++;
                kib.onRecord(ring, offset, length);
            })) {
                for (int round = 0; round < 300; round++) {
                    assertEquals(10, produce(producer, round * 10L, 10, K1024, false, 0));
                    assertEquals(10, reader.consume());
                }
            }
            assertEquals(3000, kib.count);
            assertTrue(straddling.count > 0, "some of 3000 records of 1032 bytes straddle the end of a 16 KiB ring");

            List<Long> kept = new ArrayList<>();
            try (RingBufferReader reader = RingBufferReader.open(c.map("events"),
                    (RawRecordHandler) (ring, offset, length) -> kept.add(ring.get(U64, offset)))) {
                assertEquals(90, produce(producer, 0, 90, K64_DISCARD_THIRD, false, 0));
                assertEquals(60, reader.consume(), "discarded records are skipped");
            }
            assertEquals(60, kept.size());
            for (int i = 0; i < kept.size(); i++) assertEquals(i / 2 * 3L + i % 2, kept.get(i), "record " + i);
        }
    }

    @Test
    void aPollerMixesRawAndSliceHandlersAndClosingWhileARawHandlerPollsIsSafe() throws Exception {
        final int total = 100_000;
        try (Collection c = load(4 * MIB)) {
            RawSequenceCheck even = new RawSequenceCheck(64) {
                @Override
                public void onRecord(MemorySegment ring, long offset, int length) {
                    segment = ring;
                    assertEquals(2 * count, ring.get(U64, offset));
                    count++;
                }
            };
            List<Long> odd = new ArrayList<>();
            RingBufferPoller poller = RingBufferPoller.create()
                    .add(c.map("events"), even)
                    .add(c.map("other"), r -> odd.add(r.get(U64, 0)));
            AtomicReference<Throwable> ended = new AtomicReference<>();
            AtomicLong seen = new AtomicLong();
            CompletableFuture<Void> polling = new CompletableFuture<>();
            Thread thread = Thread.ofPlatform().name("ringbuf-raw-poller").start(() -> {
                try {
                    polling.complete(null);
                    while (true) seen.addAndGet(poller.poll()); // only close() ends this
                } catch (Throwable t) {
                    ended.set(t);
                }
            });
            polling.get(1, TimeUnit.MINUTES);
            assertEquals(total, produce(c.program("produce"), 0, total, K64, false, 2));
            while (seen.get() < total) Thread.onSpinWait();
            poller.close();
            thread.join(TimeUnit.MINUTES.toMillis(1));
            assertFalse(thread.isAlive());
            assertInstanceOf(AlreadyClosedException.class, ended.get());
            assertEquals(total / 2, even.count);
            assertEquals(total / 2, odd.size());
            for (int i = 0; i < total / 2; i++) if (odd.get(i) != 2L * i + 1) fail("other ring, record " + i + ": " + odd.get(i));
            assertThrows(AlreadyClosedException.class, poller::consume);
            // The ring segment outlived its mapping: reading it is an exception, not a crash.
            assertThrows(IllegalStateException.class, () -> even.segment.get(U64, 0));
        }
    }

    @Test
    void closingFromARawHandlerEndsThePollAndTheSegmentKeptPastCloseFailsCleanly() {
        try (Collection c = load(64 * 1024)) {
            AtomicReference<RingBufferReader> self = new AtomicReference<>();
            AtomicReference<MemorySegment> kept = new AtomicReference<>();
            RingBufferReader reader = RingBufferReader.open(c.map("events"), (RawRecordHandler) (ring, offset, length) -> {
                kept.set(ring);
                self.get().close();
            });
            self.set(reader);
            produce(c.program("produce"), 0, 3, K64, false, 0);
            assertThrows(AlreadyClosedException.class, reader::consume);
            assertTrue(reader.isClosed());
            assertThrows(IllegalStateException.class, () -> kept.get().get(U64, 0));
        }
    }

    @Test
    void aMapThatIsNotARingBufferIsRefusedByName() {
        try (BpfMap array = BpfMap.create(MapSpec.of("not_a_ring", MapType.ARRAY, 4, 8, 1))) {
            var e = assertThrows(IllegalArgumentException.class, () -> RingBufferReader.open(array, r -> {}));
            assertTrue(e.getMessage().contains("'not_a_ring' is a ARRAY, not a RINGBUF"), e.getMessage());
        }
    }

    /** The kernel's comm of the calling thread, what bpf_get_current_comm() returns in a test run. */
    static String threadComm() throws java.io.IOException {
        return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/comm")).strip();
    }

    static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) n++;
        return new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
