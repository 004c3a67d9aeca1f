package dev.jbcc;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;

/**
 * Converts a Java value to and from the bytes a map stores, for {@link TypedMap} and friends.
 * Built-ins cover the primitives, fixed-size byte arrays and records (laid out like the
 * equivalent C struct); BTF-described layouts implement this same interface.
 *
 * <p>Implementations must be stateless or thread-safe, and must not use maps themselves:
 * typed maps encode into and decode from a per-thread scratch buffer.
 *
 * @param <T> the Java type
 */
public interface Codec<T> {
    /** Bytes one value occupies; must equal the map's key or value size. */
    int size();

    /** The C alignment of the type (1, 2, 4 or 8), used when the value is a field of a record. */
    default int alignment() {
        return 1;
    }

    /** Writes {@code value} into the first {@link #size()} bytes of {@code dst}. */
    void encode(T value, MemorySegment dst);

    /** Reads a value from the first {@link #size()} bytes of {@code src}. */
    T decode(MemorySegment src);

    /** Length of an array component of a record codec: {@code @Codec.Length(16) byte[] comm}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    @interface Length {
        int value();
    }

    /** {@code __u8}/{@code __s8}. */
    Codec<Byte> BYTE = Codecs.BYTE;
    /** {@code __u16}/{@code __s16}, native byte order. */
    Codec<Short> SHORT = Codecs.SHORT;
    /** {@code __u32}/{@code __s32}, native byte order. */
    Codec<Integer> INT = Codecs.INT;
    /** {@code __u64}/{@code __s64}, native byte order. */
    Codec<Long> LONG = Codecs.LONG;
    Codec<Float> FLOAT = Codecs.FLOAT;
    Codec<Double> DOUBLE = Codecs.DOUBLE;

    /**
     * A codec made of two functions: {@code decode} reads a value from the first {@code size}
     * bytes of a segment, {@code encode} writes one there. Generated skeletons build their record
     * codecs this way.
     *
     * @param alignment the C alignment (1, 2, 4 or 8)
     */
    static <T> Codec<T> of(int size, int alignment, java.util.function.Function<MemorySegment, T> decode,
                           java.util.function.BiConsumer<T, MemorySegment> encode) {
        return new Codecs.Functional<>(size, alignment, decode, encode);
    }

    /** Exactly {@code size} raw bytes; encoding an array of another length fails. */
    static Codec<byte[]> bytes(int size) {
        return new Codecs.Bytes(size);
    }

    /**
     * A record laid out as the C struct with the same fields in the same order: each field at
     * its natural alignment, the size rounded up to the largest alignment, native byte order.
     * Components may be primitives ({@code boolean} is one byte), primitive arrays annotated
     * with {@link Length}, or records of the same kind.
     *
     * @throws IllegalArgumentException naming the component that cannot be laid out
     */
    static <R extends Record> Codec<R> ofRecord(Class<R> type) {
        return RecordCodec.of(type, null);
    }

    /**
     * A record laid out as a struct of a program's BTF (e.g. the value type of a map, or the
     * event struct a program submits): components are matched to members by name, so the record
     * may omit members and list them in any order.
     *
     * @throws IllegalArgumentException naming a component that is missing, a bitfield, or of another size
     */
    static <R extends Record> Codec<R> ofRecord(Class<R> type, dev.jbcc.btf.Btf btf, int structTypeId) {
        return RecordCodec.of(type, null, btf, structTypeId);
    }

    /** As {@link #ofRecord(Class)}, reaching a non-public record through the caller's lookup. */
    static <R extends Record> Codec<R> ofRecord(Class<R> type, MethodHandles.Lookup lookup) {
        return RecordCodec.of(type, lookup);
    }
}
