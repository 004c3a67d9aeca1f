package dev.jbcc.bcc;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.btf.FlatMember;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A key, leaf or event of a bcc program, decoded by its C type: what bcc's Python hands out as
 * a ctypes object ({@code k.value}, {@code event.pid}, {@code event.comm}).
 *
 * <p>Integers (and enums and pointers) answer {@link #value()}; structs and unions answer
 * {@link #get}, {@link #getLong}, {@link #getString} and {@link #field} by member name (members
 * of anonymous members included, as in C). Arrays give their {@link #elements()}; {@code char}
 * arrays read as strings up to the first NUL. Values are immutable copies: {@link #with} makes a
 * changed copy, e.g. a key to look up. Native byte order.
 *
 * <p>{@link #toString()} reads like bcc's ctypes: {@code c_uint(7)} for integers,
 * {@code key_t(pid=42, comm=b'bash')} for structs.
 */
public final class Value {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private final ValueType type;
    private final byte[] bytes;

    Value(ValueType type, byte[] bytes) {
        this.type = type;
        this.bytes = bytes;
    }

    /** A copy of the first {@code type.size()} bytes of {@code src}. */
    static Value copyOf(ValueType type, MemorySegment src) {
        byte[] b = new byte[type.size()];
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, b, 0, Math.min(b.length, (int) Math.min(src.byteSize(), b.length)));
        return new Value(type, b);
    }

    static Value zero(ValueType type) {
        return new Value(type, new byte[type.size()]);
    }

    static Value ofLong(ValueType type, long v) {
        Value z = zero(type);
        z.writeInt(0, type.size(), v);
        return z;
    }

    ValueType type() {
        return type;
    }

    /** The C type's name: {@code "u32"}, {@code "struct data_t"}, {@code "char[16]"}. */
    public String typeName() {
        return type.cName();
    }

    /** Size in bytes. */
    public int size() {
        return bytes.length;
    }

    /** The bytes, read-only. */
    public MemorySegment segment() {
        return MemorySegment.ofArray(bytes).asReadOnly();
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    MemorySegment writableCopy() {
        return MemorySegment.ofArray(bytes.clone());
    }

    // ---- integers ----

    /** Whether this is an integer, enum or pointer (it has a {@link #value()}). */
    public boolean isInteger() {
        return type.isInteger();
    }

    /**
     * The integer (ctypes' {@code .value}): sign-extended for signed C types, the raw bits for
     * unsigned 64-bit ones ({@link Long#toUnsignedString} prints them).
     *
     * @throws IllegalStateException if this is a struct, union or array
     */
    public long value() {
        if (!type.isInteger()) {
            throw new IllegalStateException(typeName() + " is not an integer; read its members with get(name)"
                    + (type.isComposite() ? " (it has " + type.members().keySet() + ")" : ""));
        }
        return readInt(0, bytes.length, type.isSigned());
    }

    /** A copy with integer value {@code v}. */
    public Value withValue(long v) {
        if (!type.isInteger()) throw new IllegalStateException(typeName() + " is not an integer");
        Value copy = new Value(type, bytes.clone());
        copy.writeInt(0, bytes.length, v);
        return copy;
    }

    // ---- struct members ----

    /** Member names in declaration order (empty unless a struct or union). */
    public Set<String> memberNames() {
        return type.members().keySet();
    }

    /**
     * A member's value: {@link Long} for integers, enums, pointers and bitfields, {@link Boolean}
     * for {@code bool}, {@link Double} for floats, {@link String} for {@code char} arrays, and a
     * nested {@link Value} for structs, unions and other arrays.
     *
     * @throws IllegalArgumentException naming the members there are, if there is no such member
     */
    public Object get(String member) {
        FlatMember m = type.member(member);
        if (m.isBitfield()) return bitfield(m);
        return field(m).toJava();
    }

    /** An integer, enum, pointer or bitfield member. */
    public long getLong(String member) {
        FlatMember m = type.member(member);
        if (m.isBitfield()) return bitfield(m);
        Value f = field(m);
        if (!f.isInteger()) throw new IllegalArgumentException(typeName() + "." + member + " is " + f.typeName() + ", not an integer");
        return f.value();
    }

    /** A {@code char} array member, up to its first NUL. */
    public String getString(String member) {
        if (get(member) instanceof String s) return s;
        throw new IllegalArgumentException(typeName() + "." + member + " is " + field(member).typeName() + ", not a char array");
    }

    /** A member as a value of its own (a copy). */
    public Value field(String member) {
        FlatMember m = type.member(member);
        if (m.isBitfield()) throw new IllegalArgumentException(typeName() + "." + member + " is a bitfield; use getLong");
        return field(m);
    }

    private Value field(FlatMember m) {
        ValueType t = type.memberType(m);
        int offset = (int) m.byteOffset();
        return new Value(t, Arrays.copyOfRange(bytes, offset, offset + t.size()));
    }

    /**
     * A copy with {@code member} set: a {@link Number} for integer members, a {@link String}
     * for {@code char} arrays (truncated to leave a NUL), a {@code byte[]} or a {@link Value} of
     * the member's size for anything else.
     */
    public Value with(String member, Object newValue) {
        FlatMember m = type.member(member);
        Value copy = new Value(type, bytes.clone());
        int offset = (int) m.byteOffset();
        if (m.isBitfield()) {
            if (!(newValue instanceof Number n)) throw new IllegalArgumentException(member + " is a bitfield: give a number");
            m.writeBits(MemorySegment.ofArray(copy.bytes), n.longValue());
            return copy;
        }
        ValueType t = type.memberType(m);
        switch (newValue) {
            case Number n when t.isInteger() -> copy.writeInt(offset, t.size(), n.longValue());
            case Boolean b when t.isInteger() -> copy.writeInt(offset, t.size(), b ? 1 : 0);
            case String s -> {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                Arrays.fill(copy.bytes, offset, offset + t.size(), (byte) 0);
                System.arraycopy(utf8, 0, copy.bytes, offset, Math.min(utf8.length, t.size() - 1));
            }
            case byte[] b when b.length == t.size() -> System.arraycopy(b, 0, copy.bytes, offset, b.length);
            case Value v when v.size() == t.size() -> System.arraycopy(v.bytes, 0, copy.bytes, offset, v.size());
            case null, default -> throw new IllegalArgumentException("cannot store " + newValue + " in " + typeName() + "."
                    + member + " (" + t.cName() + ", " + t.size() + " bytes)");
        }
        return copy;
    }

    // ---- arrays ----

    /** The elements of an array value (a per-CPU leaf is an array with one element per possible CPU). */
    public List<Value> elements() {
        if (!(type.resolved() instanceof BtfType.Array a)) throw new IllegalStateException(typeName() + " is not an array");
        ValueType element = ValueType.of(type.btf(), a.type(), 0);
        List<Value> out = new ArrayList<>(a.length());
        for (int i = 0; i < a.length(); i++) {
            out.add(new Value(element, Arrays.copyOfRange(bytes, i * element.size(), (i + 1) * element.size())));
        }
        return Collections.unmodifiableList(out);
    }

    /** For a {@code char} array: the text up to the first NUL. */
    public String string() {
        if (toJava() instanceof String s) return s;
        throw new IllegalStateException(typeName() + " is not a char array");
    }

    // ---- decoding ----

    private Object toJava() {
        BtfType t = type.resolved();
        if (t == null) return value();
        return switch (t) {
            case BtfType.Int i when i.encoding() == BtfType.IntEncoding.BOOL -> readInt(0, i.size(), false) != 0;
            case BtfType.Int i when i.size() <= 8 -> value();
            case BtfType.Enumeration e -> value();
            case BtfType.Ptr p -> value();
            case BtfType.Float f -> f.size() == 4 ? (double) MemorySegment.ofArray(bytes).get(F32, 0)
                    : MemorySegment.ofArray(bytes).get(F64, 0);
            case BtfType.Array a when isCharArray(type.btf(), a) -> {
                int n = 0;
                while (n < bytes.length && bytes[n] != 0) n++;
                yield new String(bytes, 0, n, StandardCharsets.UTF_8);
            }
            default -> this;
        };
    }

    private static boolean isCharArray(Btf btf, BtfType.Array a) {
        return btf.type(btf.resolve(a.type())) instanceof BtfType.Int i && i.size() == 1
                && (i.encoding() == BtfType.IntEncoding.CHAR || i.name().equals("char"));
    }

    private long readInt(int offset, int size, boolean signed) {
        MemorySegment s = MemorySegment.ofArray(bytes);
        return switch (size) {
            case 1 -> signed ? bytes[offset] : Byte.toUnsignedLong(bytes[offset]);
            case 2 -> signed ? s.get(U16, offset) : Short.toUnsignedLong(s.get(U16, offset));
            case 4 -> signed ? s.get(U32, offset) : Integer.toUnsignedLong(s.get(U32, offset));
            case 8 -> s.get(U64, offset);
            default -> throw new IllegalStateException(size + "-byte " + typeName() + " is not an integer of 1, 2, 4 or 8 bytes");
        };
    }

    private void writeInt(int offset, int size, long v) {
        MemorySegment s = MemorySegment.ofArray(bytes);
        switch (size) {
            case 1 -> bytes[offset] = (byte) v;
            case 2 -> s.set(U16, offset, (short) v);
            case 4 -> s.set(U32, offset, (int) v);
            case 8 -> s.set(U64, offset, v);
            default -> throw new IllegalStateException(size + "-byte " + typeName() + " is not an integer");
        }
    }

    private long bitfield(FlatMember m) {
        return m.readBits(MemorySegment.ofArray(bytes), type.memberType(m).isSigned());
    }

    // ---- identity and printing ----

    @Override
    public boolean equals(Object o) {
        return o instanceof Value v && Arrays.equals(bytes, v.bytes) && type.cName().equals(v.type.cName());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        appendTo(sb);
        return sb.toString();
    }

    private void appendTo(StringBuilder sb) {
        BtfType t = type.resolved();
        if (type.isInteger()) {
            long v = value();
            sb.append(type.ctypesName()).append('(');
            if (t instanceof BtfType.Ptr) sb.append("0x").append(Long.toHexString(v));
            else sb.append(type.isSigned() || bytes.length < 8 ? Long.toString(v) : Long.toUnsignedString(v));
            sb.append(')');
        } else if (type.isComposite()) {
            String name = type.resolved().name();
            sb.append(name.isEmpty() ? type.cName() : name).append('(');
            boolean first = true;
            for (String member : memberNames()) {
                if (!first) sb.append(", ");
                first = false;
                sb.append(member).append('=');
                appendMember(sb, get(member));
            }
            sb.append(')');
        } else if (toJava() instanceof String s) {
            sb.append(pythonBytes(s));
        } else if (t instanceof BtfType.Array) {
            sb.append('[');
            List<Value> elements = elements();
            for (int i = 0; i < elements.size(); i++) {
                if (i > 0) sb.append(", ");
                appendMember(sb, elements.get(i).toJava());
            }
            sb.append(']');
        } else {
            sb.append(typeName()).append("(0x").append(HexFormat.of().formatHex(bytes)).append(')');
        }
    }

    private static void appendMember(StringBuilder sb, Object v) {
        switch (v) {
            case String s -> sb.append(pythonBytes(s));
            case Value nested -> nested.appendTo(sb);
            default -> sb.append(v);
        }
    }

    /** How Python's repr shows a bytes object: {@code b'bash'}, non-printables escaped. */
    static String pythonBytes(String s) {
        StringBuilder sb = new StringBuilder("b'");
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '\\' || c == '\'') sb.append('\\').append((char) c);
            else if (c == '\n') sb.append("\\n");
            else if (c == '\t') sb.append("\\t");
            else if (c == '\r') sb.append("\\r");
            else if (c >= 0x20 && c < 0x7f) sb.append((char) c);
            else sb.append(String.format("\\x%02x", c));
        }
        return sb.append('\'').toString();
    }
}
