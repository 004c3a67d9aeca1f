package dev.jbcc;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/** Record codecs follow the C struct layout rules (natural alignment, tail padding). */
class CodecTest {
    record Mixed(byte flag, long count, int pid, short port) {}

    record Inner(short a, int b) {}

    record Outer(byte tag, Inner inner, @Codec.Length(3) short[] ports, boolean on, @Codec.Length(5) byte[] comm) {}

    record Unsupported(String name) {}

    record NoLength(int[] values) {}

    @Test
    void aCodecOfTwoFunctionsEncodesAndDecodesThroughThem() {
        Codec<String> hex = Codec.of(2, 2, s -> Integer.toHexString(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0) & 0xffff),
                (v, s) -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) Integer.parseInt(v, 16)));
        MemorySegment bytes = MemorySegment.ofArray(new byte[2]);
        hex.encode("beef", bytes);
        assertEquals((short) 0xbeef, bytes.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
        assertEquals("beef", hex.decode(bytes));
        assertEquals(2, hex.alignment());
        var e = assertThrows(IllegalArgumentException.class, () -> Codec.of(4, 3, s -> 0, (v, s) -> {}));
        assertEquals("codec alignment must be 1, 2, 4 or 8, got 3", e.getMessage());
    }

    @Test
    void fieldsSitAtTheirNaturalAlignment() {
        var codec = (RecordCodec<Mixed>) Codec.ofRecord(Mixed.class);
        // struct { __u8 flag; __u64 count; __u32 pid; __u16 port; }: 0, 8, 16, 20; size 24.
        assertEquals(0, codec.offsetOf("flag"));
        assertEquals(8, codec.offsetOf("count"));
        assertEquals(16, codec.offsetOf("pid"));
        assertEquals(20, codec.offsetOf("port"));
        assertEquals(24, codec.size());
        assertEquals(8, codec.alignment());
    }

    @Test
    void nestedRecordsAndArraysRoundTrip() {
        var codec = (RecordCodec<Outer>) Codec.ofRecord(Outer.class);
        // tag@0, inner{a@0,b@4 size 8 align 4}@4, ports[3]@12, on@18, comm[5]@19, size 24 (align 4)
        assertEquals(4, codec.offsetOf("inner"));
        assertEquals(12, codec.offsetOf("ports"));
        assertEquals(18, codec.offsetOf("on"));
        assertEquals(19, codec.offsetOf("comm"));
        assertEquals(24, codec.size());
        var value = new Outer((byte) 7, new Inner((short) -2, 99), new short[] {1, 2, 3}, true, "bash\0".getBytes());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(codec.size()).fill((byte) 0x55);
            codec.encode(value, seg);
            assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, 1), "padding is zeroed: hash keys compare it");
            assertEquals(99, seg.get(ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder()), 8));
            Outer back = codec.decode(seg);
            assertEquals(value.tag(), back.tag());
            assertEquals(value.inner(), back.inner());
            assertArrayEquals(value.ports(), back.ports());
            assertTrue(back.on());
            assertArrayEquals(value.comm(), back.comm());
        }
    }

    @Test
    void unsupportedComponentsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> Codec.ofRecord(Unsupported.class));
        assertTrue(e.getMessage().contains("Unsupported.name"), e.getMessage());
        var len = assertThrows(IllegalArgumentException.class, () -> Codec.ofRecord(NoLength.class));
        assertTrue(len.getMessage().contains("@Codec.Length"), len.getMessage());
    }

    @Test
    void fixedSizeBytesRejectOtherLengths() {
        Codec<byte[]> codec = Codec.bytes(4);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4);
            codec.encode(new byte[] {1, 2, 3, 4}, seg);
            assertArrayEquals(new byte[] {1, 2, 3, 4}, codec.decode(seg));
            assertThrows(IllegalArgumentException.class, () -> codec.encode(new byte[3], seg));
        }
    }
}
