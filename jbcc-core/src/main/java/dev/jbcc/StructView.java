package dev.jbcc;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.btf.FlatMember;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Fields of a BTF-described struct or union read by name, for tools that do not declare a Java
 * record for each event (bcc's Python {@code event.comm}, {@code event.pid}). Build the view
 * once per type, then {@link #bind} it to each record:
 *
 * <pre>{@code
 * StructView event = StructView.of(spec.btf(), "event");
 * RingBufferReader.open(map, record -> {
 *     StructView e = event.bind(record);            // no copy: valid while the record is
 *     System.out.println(e.getString("comm") + " " + e.getLong("pid"));
 * });
 * }</pre>
 *
 * <p>{@link #get} returns: {@link Long} for integers (sign-extended when BTF says signed;
 * unsigned 64-bit values keep their bits), enums, pointers and bitfields; {@link BigInteger} for
 * 128-bit integers; {@link Boolean} for {@code bool}; {@link Double} for floats; {@link String}
 * for {@code char} arrays (up to the first NUL, UTF-8); {@code byte[]} for other byte arrays; a
 * nested StructView for struct and union members; a {@link List} for other arrays. Members of
 * anonymous structs and unions are reached by their own names, as in C. Native byte order.
 *
 * <p>Views are immutable; a bound view reads its segment on every call, so it sees later
 * changes and is no longer valid when the segment's memory is.
 */
public final class StructView {
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /** What one struct type compiles to; shared by all views of it. */
    private record Shape(Btf btf, int type, String name, long size, Map<String, FlatMember> fields) {}

    private final Shape shape;
    private final MemorySegment segment;

    private StructView(Shape shape, MemorySegment segment) {
        this.shape = shape;
        this.segment = segment;
    }

    /**
     * An unbound view of struct or union {@code typeId} of {@code btf}.
     *
     * @throws IllegalArgumentException if the type is not a struct or union
     */
    public static StructView of(Btf btf, int typeId) {
        return new StructView(shape(btf, typeId), null);
    }

    /**
     * An unbound view of the struct (or else union) called {@code name} in {@code btf}.
     *
     * @throws IllegalArgumentException if there is no such struct or union
     */
    public static StructView of(Btf btf, String name) {
        int id = btf.lookupFirst(name, BtfType.Struct.class)
                .orElseGet(() -> btf.lookupFirst(name, BtfType.Union.class).orElseThrow(() -> new IllegalArgumentException(
                        "no struct or union '" + name + "' in this BTF; compile the program with -g and make sure the type"
                                + " is used (a global 'struct " + name + " *unused;' keeps it)")));
        return of(btf, id);
    }

    private static Shape shape(Btf btf, int typeId) {
        int id = btf.resolve(typeId);
        if (!(btf.type(id) instanceof BtfType.Composite composite))
            throw new IllegalArgumentException("BTF type " + btf.describe(typeId) + " is not a struct or union");
        return new Shape(btf, id, composite.name(), composite.size(), FlatMember.of(btf, id));
    }

    /** A view of the same type over {@code segment}, which must hold at least {@link #size()} bytes. */
    public StructView bind(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (segment.byteSize() < shape.size)
            throw new IllegalArgumentException(segment.byteSize() + " bytes cannot hold " + describe() + " of " + shape.size
                    + " bytes");
        return new StructView(shape, segment);
    }

    /**
     * A codec that copies each value to the heap and binds a view to the copy, so the view
     * stays valid after a ring buffer callback returns (encoding copies a bound view's bytes).
     */
    public Codec<StructView> codec() {
        StructView unbound = new StructView(shape, null);
        int size = Math.toIntExact(shape.size);
        return new Codec<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public int alignment() {
                return shape.btf.alignOf(shape.type);
            }

            @Override
            public void encode(StructView value, MemorySegment dst) {
                if (value.shape.type != shape.type || value.shape.btf != shape.btf)
                    throw new IllegalArgumentException("cannot encode " + value.describe() + " as " + describe());
                MemorySegment.copy(value.segment(), 0, dst, 0, size);
            }

            @Override
            public StructView decode(MemorySegment src) {
                MemorySegment copy = MemorySegment.ofArray(new long[(size + 7) / 8]).asSlice(0, size);
                MemorySegment.copy(src, 0, copy, 0, size);
                return unbound.bind(copy);
            }

            @Override
            public String toString() {
                return "StructView.codec(" + describe() + ")";
            }
        };
    }

    /** The struct's name ("" if anonymous). */
    public String typeName() {
        return shape.name;
    }

    /** The struct's size in bytes. */
    public long size() {
        return shape.size;
    }

    /** Member names in declaration order, members of anonymous structs and unions included. */
    public Set<String> memberNames() {
        return shape.fields.keySet();
    }

    /** Whether this view is bound to memory. */
    public boolean isBound() {
        return segment != null;
    }

    /** The bytes this view reads. */
    public MemorySegment segment() {
        if (segment == null) throw new IllegalStateException(describe() + " is not bound to memory; call bind(segment)");
        return segment;
    }

    /**
     * The member's value; see the class description for the Java type per C type.
     *
     * @throws IllegalArgumentException naming the members there are, if there is no such member
     */
    public Object get(String member) {
        FlatMember f = field(member);
        if (f.isBitfield()) return bitfield(f);
        return value(f.type(), f.byteOffset());
    }

    /** An integer, enum, pointer or bitfield member. */
    public long getLong(String member) {
        Object v = get(member);
        return switch (v) {
            case Long l -> l;
            case Boolean b -> b ? 1 : 0;
            default -> throw new IllegalArgumentException(describe() + "." + member + " is " + shape.btf.describe(field(member).type())
                    + ", not an integer");
        };
    }

    /** A {@code char} array member, up to its first NUL. */
    public String getString(String member) {
        if (get(member) instanceof String s) return s;
        throw new IllegalArgumentException(describe() + "." + member + " is " + shape.btf.describe(field(member).type())
                + ", not a char array");
    }

    /** A nested struct or union member. */
    public StructView getStruct(String member) {
        if (get(member) instanceof StructView v) return v;
        throw new IllegalArgumentException(describe() + "." + member + " is " + shape.btf.describe(field(member).type())
                + ", not a struct or union");
    }

    /** Every member's value, in declaration order; nested structs as nested maps. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String name : shape.fields.keySet()) {
            Object v = get(name);
            map.put(name, v instanceof StructView s ? s.toMap() : v);
        }
        return map;
    }

    private FlatMember field(String member) {
        FlatMember f = shape.fields.get(member);
        if (f == null)
            throw new IllegalArgumentException(describe() + " has no member '" + member + "'; it has " + shape.fields.keySet());
        return f;
    }

    private Object value(int typeId, long offset) {
        MemorySegment s = segment();
        Btf btf = shape.btf;
        int id = btf.resolve(typeId);
        BtfType t = btf.type(id);
        return switch (t) {
            case BtfType.Int i -> integer(s, offset, i.size(), i.encoding() == BtfType.IntEncoding.SIGNED,
                    i.encoding() == BtfType.IntEncoding.BOOL);
            case BtfType.Enumeration e -> integer(s, offset, e.size(), e.signed(), false);
            case BtfType.Ptr p -> s.get(U64, offset);
            case BtfType.Float f -> f.size() == 4 ? (double) s.get(F32, offset) : s.get(F64, offset);
            case BtfType.Composite c -> new StructView(new Shape(btf, id, c.name(), c.size(), FlatMember.of(btf, id)),
                    s.asSlice(offset, c.size()));
            case BtfType.Array a -> array(a, offset);
            default -> throw new IllegalArgumentException("cannot read " + btf.describe(typeId) + " at offset " + offset
                    + " of " + describe());
        };
    }

    private Object array(BtfType.Array a, long offset) {
        Btf btf = shape.btf;
        int element = btf.resolve(a.type());
        long elementSize = btf.sizeOf(element);
        int length = a.length();
        if (btf.type(element) instanceof BtfType.Int i && i.size() == 1) {
            byte[] bytes = new byte[length];
            MemorySegment.copy(segment(), U8, offset, bytes, 0, length);
            // "char" is the C string type; __u8 and signed char arrays stay bytes.
            if (i.name().equals("char") || i.encoding() == BtfType.IntEncoding.CHAR) {
                int n = 0;
                while (n < length && bytes[n] != 0) n++;
                return new String(bytes, 0, n, StandardCharsets.UTF_8);
            }
            return bytes;
        }
        List<Object> values = new ArrayList<>(length);
        for (int k = 0; k < length; k++) values.add(value(element, offset + k * elementSize));
        return Collections.unmodifiableList(values);
    }

    private static Object integer(MemorySegment s, long offset, int size, boolean signed, boolean bool) {
        if (size == 16) return int128(s, offset, signed);
        long v = switch (size) {
            case 1 -> signed ? s.get(U8, offset) : Byte.toUnsignedLong(s.get(U8, offset));
            case 2 -> signed ? s.get(U16, offset) : Short.toUnsignedLong(s.get(U16, offset));
            case 4 -> signed ? s.get(U32, offset) : Integer.toUnsignedLong(s.get(U32, offset));
            case 8 -> s.get(U64, offset);
            default -> throw new IllegalArgumentException("integer of " + size + " bytes");
        };
        return bool ? (Object) (v != 0) : (Object) v;
    }

    private static BigInteger int128(MemorySegment s, long offset, boolean signed) {
        byte[] bigEndian = new byte[16];
        for (int k = 0; k < 16; k++) {
            int index = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 15 - k : k;
            bigEndian[index] = s.get(U8, offset + k);
        }
        return signed ? new BigInteger(bigEndian) : new BigInteger(1, bigEndian);
    }

    /** Little-endian (x86-64, arm64 LE) bitfields: bit 0 is the least significant bit of byte 0. */
    private Object bitfield(FlatMember f) {
        BtfType t = shape.btf.type(shape.btf.resolve(f.type()));
        boolean signed = t instanceof BtfType.Int i ? i.encoding() == BtfType.IntEncoding.SIGNED
                : t instanceof BtfType.Enumeration e && e.signed();
        long value = f.readBits(segment(), signed);
        if (t instanceof BtfType.Int i && i.encoding() == BtfType.IntEncoding.BOOL) return value != 0;
        return value;
    }

    private String describe() {
        return shape.name.isEmpty() ? "anonymous " + shape.btf.kind(shape.type).name().toLowerCase() : shape.name;
    }

    /** {@code event{seq=1, comm=bash, addr={port=80}}}, or the type name if unbound. */
    @Override
    public String toString() {
        if (segment == null) return "StructView[" + describe() + ", unbound]";
        StringBuilder out = new StringBuilder(shape.name);
        appendTo(out);
        return out.toString();
    }

    private void appendTo(StringBuilder out) {
        out.append('{');
        boolean first = true;
        for (String name : shape.fields.keySet()) {
            if (!first) out.append(", ");
            first = false;
            out.append(name).append('=');
            Object v = get(name);
            switch (v) {
                case StructView s -> s.appendTo(out);
                case byte[] b -> out.append(java.util.HexFormat.of().formatHex(b));
                default -> out.append(v);
            }
        }
        out.append('}');
    }
}
