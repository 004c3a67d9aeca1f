package dev.jbcc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** The built-in codecs; kernel data is in native byte order and may sit at any offset. */
final class Codecs {
    private Codecs() {}

    static final ValueLayout.OfShort SHORT_LAYOUT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfChar CHAR_LAYOUT = ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfInt INT_LAYOUT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfLong LONG_LAYOUT = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfFloat FLOAT_LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfDouble DOUBLE_LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    static final Codec<Byte> BYTE = new Codec<>() {
        public int size() { return 1; }
        public int alignment() { return 1; }
        public void encode(Byte v, MemorySegment dst) { dst.set(ValueLayout.JAVA_BYTE, 0, v); }
        public Byte decode(MemorySegment src) { return src.get(ValueLayout.JAVA_BYTE, 0); }
        public String toString() { return "Codec.BYTE"; }
    };

    static final Codec<Short> SHORT = new Codec<>() {
        public int size() { return 2; }
        public int alignment() { return 2; }
        public void encode(Short v, MemorySegment dst) { dst.set(SHORT_LAYOUT, 0, v); }
        public Short decode(MemorySegment src) { return src.get(SHORT_LAYOUT, 0); }
        public String toString() { return "Codec.SHORT"; }
    };

    static final Codec<Integer> INT = new Codec<>() {
        public int size() { return 4; }
        public int alignment() { return 4; }
        public void encode(Integer v, MemorySegment dst) { dst.set(INT_LAYOUT, 0, v); }
        public Integer decode(MemorySegment src) { return src.get(INT_LAYOUT, 0); }
        public String toString() { return "Codec.INT"; }
    };

    static final Codec<Long> LONG = new Codec<>() {
        public int size() { return 8; }
        public int alignment() { return 8; }
        public void encode(Long v, MemorySegment dst) { dst.set(LONG_LAYOUT, 0, v); }
        public Long decode(MemorySegment src) { return src.get(LONG_LAYOUT, 0); }
        public String toString() { return "Codec.LONG"; }
    };

    static final Codec<Float> FLOAT = new Codec<>() {
        public int size() { return 4; }
        public int alignment() { return 4; }
        public void encode(Float v, MemorySegment dst) { dst.set(FLOAT_LAYOUT, 0, v); }
        public Float decode(MemorySegment src) { return src.get(FLOAT_LAYOUT, 0); }
        public String toString() { return "Codec.FLOAT"; }
    };

    static final Codec<Double> DOUBLE = new Codec<>() {
        public int size() { return 8; }
        public int alignment() { return 8; }
        public void encode(Double v, MemorySegment dst) { dst.set(DOUBLE_LAYOUT, 0, v); }
        public Double decode(MemorySegment src) { return src.get(DOUBLE_LAYOUT, 0); }
        public String toString() { return "Codec.DOUBLE"; }
    };

    record Bytes(int size) implements Codec<byte[]> {
        Bytes {
            if (size <= 0) throw new IllegalArgumentException("byte array codec size must be positive, got " + size);
        }

        @Override
        public void encode(byte[] value, MemorySegment dst) {
            if (value.length != size)
                throw new IllegalArgumentException("expected " + size + " bytes, got " + value.length);
            MemorySegment.copy(value, 0, dst, ValueLayout.JAVA_BYTE, 0, size);
        }

        @Override
        public byte[] decode(MemorySegment src) {
            byte[] out = new byte[size];
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, out, 0, size);
            return out;
        }
    }

    record Functional<T>(int size, int alignment, Function<MemorySegment, T> decoder,
                         BiConsumer<T, MemorySegment> encoder) implements Codec<T> {
        Functional {
            if (size < 0) throw new IllegalArgumentException("codec size must not be negative, got " + size);
            if (alignment != 1 && alignment != 2 && alignment != 4 && alignment != 8)
                throw new IllegalArgumentException("codec alignment must be 1, 2, 4 or 8, got " + alignment);
            Objects.requireNonNull(decoder, "decode");
            Objects.requireNonNull(encoder, "encode");
        }

        @Override
        public void encode(T value, MemorySegment dst) {
            encoder.accept(value, dst);
        }

        @Override
        public T decode(MemorySegment src) {
            return decoder.apply(src);
        }
    }
}
