package dev.jbcc.ringbuf;

import dev.jbcc.BpfMap;
import dev.jbcc.Codec;
import dev.jbcc.Collection;
import dev.jbcc.TestRun;
import dev.jbcc.errors.AlreadyClosedException;
import dev.jbcc.testing.BpfObjects;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/** Java writes a user ring buffer; a syscall program drains it with bpf_user_ringbuf_drain. */
@ExtendWith(FdLeakCheck.class)
class UserRingBufferTest {
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    static int drain(Collection c) {
        return c.program("drain").testRun(new TestRun(null, 0, new byte[8], 0, 0, 0, 0)).returnValue();
    }

    static long global(Collection c, String name) {
        return c.variable(name).get(U64, 0);
    }

    @Test
    void samplesWrittenFromJavaAreDrainedInOrderAndAFullRingRefusesMore() {
        try (Collection c = Collection.load(BpfObjects.compile("events/user_ringbuf.c"));
             UserRingBuffer ring = UserRingBuffer.open(c.map("commands"))) {
            // 4096 bytes hold floor(4096 / (8 header + 8 data)) = 256 eight-byte samples.
            long written = 0, expectedSum = 0;
            while (ring.write(Codec.LONG, written + 1)) {
                expectedSum += written + 1;
                written++;
            }
            assertEquals(4096 / 16, written);
            assertEquals(4096, ring.pending());
            assertNull(ring.reserve(8), "full until the program drains");

            assertEquals(written, drain(c));
            assertEquals(written, global(c, "drained"));
            assertEquals(expectedSum, global(c, "sum"));
            assertEquals(0, ring.pending());

            // Room again: 2000 more samples of mixed sizes, wrapping the ring end many times,
            // with one reservation discarded in each round.
            long next = written + 1;
            for (int round = 0; round < 100; round++) {
                for (int i = 0; i < 20; i++) {
                    int size = i % 2 == 0 ? 8 : 24;
                    MemorySegment sample = ring.reserve(size);
                    assertNotNull(sample);
                    assertEquals(size, sample.byteSize());
                    sample.set(U64, 0, next);
                    expectedSum += next++;
                    ring.submit(sample);
                }
                MemorySegment dropped = ring.reserve(16);
                dropped.set(U64, 0, 0);
                ring.discard(dropped);
                assertEquals(20, drain(c), "discarded samples are skipped by the kernel");
            }
            assertEquals(written + 2000, global(c, "drained"));
            assertEquals(expectedSum, global(c, "sum"));
            assertEquals(1000, global(c, "wide"), "the 24-byte samples arrived with their full length");

            MemorySegment once = ring.reserve(8);
            ring.submit(once);
            assertThrows(IllegalStateException.class, () -> ring.submit(once), "a sample is submitted once");
            assertThrows(IllegalArgumentException.class, () -> ring.submit(MemorySegment.ofArray(new byte[8])));
            assertThrows(IllegalArgumentException.class, () -> ring.reserve(4096));
        }
    }

    @Test
    void closedWritersAndWrongMapsAreRefused() {
        try (Collection c = Collection.load(BpfObjects.compile("events/user_ringbuf.c"))) {
            UserRingBuffer ring = UserRingBuffer.open(c.map("commands"));
            ring.close();
            ring.close();
            assertThrows(AlreadyClosedException.class, () -> ring.reserve(8));
        }
        try (BpfMap plain = BpfMap.create(dev.jbcc.spec.MapSpec.of("plain_ring", dev.jbcc.spec.MapType.RINGBUF, 0, 0, 4096))) {
            var e = assertThrows(IllegalArgumentException.class, () -> UserRingBuffer.open(plain));
            assertTrue(e.getMessage().contains("is a RINGBUF, not a USER_RINGBUF"), e.getMessage());
        }
    }
}
