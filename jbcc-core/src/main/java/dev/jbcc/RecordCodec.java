package dev.jbcc;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;

/**
 * A record laid out as a C struct: natural alignment per field, trailing padding to the
 * largest alignment, native byte order. Padding bytes are written as zero (the kernel compares
 * hash keys bytewise, padding included).
 */
final class RecordCodec<R extends Record> implements Codec<R> {
    private final Class<R> type;
    private final String[] names;
    private final Codec<Object>[] fields;
    private final long[] offsets;
    private final MethodHandle[] getters;
    private final MethodHandle constructor;
    private final int size;
    private final int alignment;

    /** Where a component goes: its codec and byte offset, found by name. */
    private interface Placement {
        Codec<?> codec(RecordComponent c, int index);

        long offset(RecordComponent c, int index, Codec<?> codec, long naturalOffset);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private RecordCodec(Class<R> type, MethodHandles.Lookup lookup, Placement placement, int fixedSize) {
        this.type = type;
        RecordComponent[] components = type.getRecordComponents();
        names = new String[components.length];
        fields = new Codec[components.length];
        offsets = new long[components.length];
        getters = new MethodHandle[components.length];
        Class<?>[] parameterTypes = new Class<?>[components.length];
        long offset = 0;
        int maxAlign = 1;
        try {
            for (int i = 0; i < components.length; i++) {
                RecordComponent c = components[i];
                names[i] = c.getName();
                Codec<Object> codec = (Codec<Object>) placement.codec(c, i);
                fields[i] = codec;
                offsets[i] = placement.offset(c, i, codec, align(offset, codec.alignment()));
                offset = offsets[i] + codec.size();
                maxAlign = Math.max(maxAlign, codec.alignment());
                getters[i] = accessible(lookup, c.getAccessor()).asType(MethodType.methodType(Object.class, Object.class));
                parameterTypes[i] = c.getType();
            }
            MethodHandle ctor = accessible(lookup, type.getDeclaredConstructor(parameterTypes));
            constructor = ctor.asType(ctor.type().generic()).asSpreader(Object[].class, components.length);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot access record " + type.getName()
                    + "; make it public or pass a MethodHandles.Lookup that can see it", e);
        }
        alignment = maxAlign;
        size = fixedSize > 0 ? fixedSize : Math.toIntExact(align(offset, maxAlign));
        if (size == 0) throw new IllegalArgumentException("record " + type.getName() + " has no fields");
    }

    static <R extends Record> Codec<R> of(Class<R> type, MethodHandles.Lookup lookup) {
        if (!type.isRecord()) throw new IllegalArgumentException(type.getName() + " is not a record");
        return new RecordCodec<>(type, lookup, new Placement() {
            public Codec<?> codec(RecordComponent c, int index) {
                return forComponent(type, c, lookup);
            }

            public long offset(RecordComponent c, int index, Codec<?> codec, long naturalOffset) {
                return naturalOffset;
            }
        }, 0);
    }

    /**
     * A record laid out as the BTF struct {@code typeId} says: each component at the offset of
     * the member with its name (members of anonymous structs and unions included), arrays as long
     * as BTF says, the size of the struct. Components not in the struct, bitfields and size
     * mismatches are errors that name the member.
     */
    static <R extends Record> Codec<R> of(Class<R> type, MethodHandles.Lookup lookup, Btf btf, int typeId) {
        if (!type.isRecord()) throw new IllegalArgumentException(type.getName() + " is not a record");
        int id = btf.resolve(typeId);
        if (!(btf.type(id) instanceof BtfType.Composite struct)) {
            throw new IllegalArgumentException("BTF type " + btf.describe(typeId) + " is not a struct or union");
        }
        String where = "struct " + struct.name();
        return new RecordCodec<>(type, lookup, new Placement() {
            private long[] found;

            private long[] member(RecordComponent c) {
                long[] m = findMember(btf, id, c.getName(), 0);
                if (m == null) {
                    throw new IllegalArgumentException(type.getName() + "." + c.getName() + ": " + where
                            + " has no member " + c.getName());
                }
                return m;
            }

            @SuppressWarnings({"unchecked", "rawtypes"})
            public Codec<?> codec(RecordComponent c, int index) {
                found = member(c);
                int memberType = (int) found[1];
                Class<?> t = c.getType();
                if (t.isRecord()) return of((Class) t, lookup, btf, memberType);
                if (t.isArray() && c.getAnnotation(Codec.Length.class) == null
                        && btf.type(btf.resolve(memberType)) instanceof BtfType.Array a) {
                    long elem = btf.sizeOf(a.type());
                    return new ArrayCodec(t.getComponentType(), Math.toIntExact(btf.sizeOf(memberType) / Math.max(1, elem)));
                }
                return forComponent(type, c, lookup);
            }

            public long offset(RecordComponent c, int index, Codec<?> codec, long naturalOffset) {
                long bitOffset = found[0];
                if (found[2] != 0 || bitOffset % 8 != 0) {
                    throw new IllegalArgumentException(type.getName() + "." + c.getName() + ": " + where + "."
                            + c.getName() + " is a bitfield, which a record component cannot map");
                }
                long btfSize = btf.sizeOf((int) found[1]);
                if (btfSize != codec.size()) {
                    throw new IllegalArgumentException(type.getName() + "." + c.getName() + " is " + codec.size()
                            + " bytes but " + where + "." + c.getName() + " is " + btfSize + " bytes ("
                            + btf.describe((int) found[1]) + ")");
                }
                return bitOffset / 8;
            }
        }, Math.toIntExact(btf.sizeOf(id)));
    }

    /** {bit offset, type id, bitfield size} of the member named {@code name}, looking into anonymous members. */
    private static long[] findMember(Btf btf, int compositeId, String name, long base) {
        if (!(btf.type(btf.resolve(compositeId)) instanceof BtfType.Composite c)) return null;
        for (BtfType.Member m : c.members()) {
            if (m.name().equals(name)) return new long[]{base + m.bitOffset(), m.type(), m.bitfieldSize()};
            if (m.name().isEmpty()) {
                long[] inner = findMember(btf, m.type(), name, base + m.bitOffset());
                if (inner != null) return inner;
            }
        }
        return null;
    }

    private static MethodHandle accessible(MethodHandles.Lookup lookup, java.lang.reflect.Method m)
            throws IllegalAccessException {
        if (lookup != null) return lookup.unreflect(m);
        m.setAccessible(true);
        return MethodHandles.lookup().unreflect(m);
    }

    private static MethodHandle accessible(MethodHandles.Lookup lookup, java.lang.reflect.Constructor<?> c)
            throws IllegalAccessException {
        if (lookup != null) return lookup.unreflectConstructor(c);
        c.setAccessible(true);
        return MethodHandles.lookup().unreflectConstructor(c);
    }

    private static long align(long offset, int alignment) {
        return (offset + alignment - 1) & -alignment;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Codec<?> forComponent(Class<?> owner, RecordComponent c, MethodHandles.Lookup lookup) {
        Class<?> t = c.getType();
        if (t == byte.class) return Codec.BYTE;
        if (t == short.class) return Codec.SHORT;
        if (t == int.class) return Codec.INT;
        if (t == long.class) return Codec.LONG;
        if (t == float.class) return Codec.FLOAT;
        if (t == double.class) return Codec.DOUBLE;
        if (t == char.class) return CHAR;
        if (t == boolean.class) return BOOLEAN;
        if (t.isRecord()) return RecordCodec.of((Class) t, lookup);
        if (t.isArray() && t.getComponentType().isPrimitive() && t.getComponentType() != boolean.class) {
            Codec.Length length = c.getAnnotation(Codec.Length.class);
            if (length == null || length.value() <= 0)
                throw new IllegalArgumentException(owner.getName() + "." + c.getName()
                        + " is an array: annotate it with @Codec.Length(n) to give its C length");
            return new ArrayCodec(t.getComponentType(), length.value());
        }
        throw new IllegalArgumentException(owner.getName() + "." + c.getName() + " has type " + t.getName()
                + ", which has no C layout; use primitives, @Codec.Length primitive arrays or records");
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int alignment() {
        return alignment;
    }

    @Override
    public void encode(R value, MemorySegment dst) {
        MemorySegment out = dst.asSlice(0, size);
        out.fill((byte) 0);
        try {
            for (int i = 0; i < fields.length; i++) {
                Object v = getters[i].invokeExact((Object) value);
                fields[i].encode(v, out.asSlice(offsets[i], fields[i].size()));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public R decode(MemorySegment src) {
        Object[] args = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) args[i] = fields[i].decode(src.asSlice(offsets[i], fields[i].size()));
        try {
            return type.cast(constructor.invokeExact(args));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Field offsets, for tests and diagnostics: "a@0 b@8 (size 16)". */
    @Override
    public String toString() {
        var sb = new StringBuilder(type.getSimpleName()).append('{');
        for (int i = 0; i < names.length; i++) sb.append(i == 0 ? "" : " ").append(names[i]).append('@').append(offsets[i]);
        return sb.append("} size ").append(size).toString();
    }

    /** Byte offset of the named component. */
    long offsetOf(String component) {
        for (int i = 0; i < names.length; i++) if (names[i].equals(component)) return offsets[i];
        throw new IllegalArgumentException(type.getName() + " has no component " + component);
    }

    private static final Codec<Character> CHAR = new Codec<>() {
        public int size() { return 2; }
        public int alignment() { return 2; }
        public void encode(Character v, MemorySegment dst) { dst.set(Codecs.CHAR_LAYOUT, 0, v); }
        public Character decode(MemorySegment src) { return src.get(Codecs.CHAR_LAYOUT, 0); }
    };

    private static final Codec<Boolean> BOOLEAN = new Codec<>() {
        public int size() { return 1; }
        public void encode(Boolean v, MemorySegment dst) { dst.set(ValueLayout.JAVA_BYTE, 0, (byte) (v ? 1 : 0)); }
        public Boolean decode(MemorySegment src) { return src.get(ValueLayout.JAVA_BYTE, 0) != 0; }
    };

    /** A fixed-length primitive array, copied in bulk. */
    private static final class ArrayCodec implements Codec<Object> {
        private final Class<?> element;
        private final ValueLayout layout;
        private final int length;

        ArrayCodec(Class<?> element, int length) {
            this.element = element;
            this.length = length;
            this.layout = element == byte.class ? ValueLayout.JAVA_BYTE
                    : element == short.class ? Codecs.SHORT_LAYOUT
                    : element == char.class ? Codecs.CHAR_LAYOUT
                    : element == int.class ? Codecs.INT_LAYOUT
                    : element == long.class ? Codecs.LONG_LAYOUT
                    : element == float.class ? Codecs.FLOAT_LAYOUT
                    : Codecs.DOUBLE_LAYOUT;
        }

        public int size() { return Math.toIntExact(layout.byteSize() * length); }

        public int alignment() { return (int) layout.byteSize(); }

        public void encode(Object array, MemorySegment dst) {
            int n = Array.getLength(array);
            if (n != length)
                throw new IllegalArgumentException("expected a " + element + "[" + length + "], got length " + n);
            MemorySegment.copy(array, 0, dst, layout, 0, length);
        }

        public Object decode(MemorySegment src) {
            Object array = Array.newInstance(element, length);
            MemorySegment.copy(src, layout, 0, array, 0, length);
            return array;
        }
    }
}
