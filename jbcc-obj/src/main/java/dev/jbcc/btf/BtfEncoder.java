package dev.jbcc.btf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes records as a raw BTF blob (header, type section, string section), the format {@code
 * BPF_BTF_LOAD} takes. Sizes are computed first so the blob is written into one exact-size array.
 */
final class BtfEncoder {
    private final ValueLayout.OfInt u32;
    private final MemorySegment out;
    private long at;

    private BtfEncoder(MemorySegment out, ByteOrder order) {
        this.out = out;
        this.u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
    }

    /** Encodes {@code types} (id 1, or the base's type count, onwards) over {@code base} (null if none). */
    static byte[] encode(Btf base, List<? extends BtfType> types, ByteOrder order) {
        return encode(base, types, order, List.of(), new HashMap<>());
    }

    /**
     * Like {@link #encode(Btf, List, ByteOrder)}, with {@code extraStrings} (line_info file names
     * and source lines, which no type names) added to the string section; their offsets are put
     * into {@code offsetsOut}.
     */
    static byte[] encode(Btf base, List<? extends BtfType> types, ByteOrder order,
                         java.util.Collection<String> extraStrings, Map<String, Integer> offsetsOut) {
        Strings strings = new Strings(base == null ? 0 : base.stringsLength(), base == null);
        extraStrings.forEach(strings::add);
        long typeLen = 0;
        int id = base == null ? 1 : base.typeCount();
        for (BtfType t : types) {
            typeLen += encodedSize(t, id++);
        }
        byte[] stringBytes = collectStrings(types, strings);
        for (String x : extraStrings) offsetsOut.put(x, strings.offset(x));
        long total = Btf.HEADER_SIZE + typeLen + stringBytes.length;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("BTF of " + total + " bytes is too large to encode");
        }
        byte[] blob = new byte[(int) total];
        BtfEncoder e = new BtfEncoder(MemorySegment.ofArray(blob), order);
        e.out.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order), 0, (short) Btf.MAGIC);
        e.out.set(ValueLayout.JAVA_BYTE, 2, (byte) Btf.VERSION);
        e.out.set(ValueLayout.JAVA_BYTE, 3, (byte) 0);
        e.at = 4;
        e.put(Btf.HEADER_SIZE);
        e.put(0);                       // type_off
        e.put((int) typeLen);
        e.put((int) typeLen);           // str_off: strings follow the types
        e.put(stringBytes.length);
        for (BtfType t : types) {
            e.write(t, strings);
        }
        MemorySegment.copy(stringBytes, 0, e.out, ValueLayout.JAVA_BYTE, e.at, stringBytes.length);
        return blob;
    }

    private static long encodedSize(BtfType t, int id) {
        return Btf.TYPE_SIZE + switch (t) {
            case BtfType.Void v -> throw new IllegalArgumentException("type id " + id
                    + " is Void: void is id 0 and is not encoded; leave it out of the list");
            case BtfType.Int i -> 4;
            case BtfType.Array a -> 12;
            case BtfType.Composite c -> 12L * vlen(c.members().size(), id);
            case BtfType.Enum e -> 8L * vlen(e.values().size(), id);
            case BtfType.Enum64 e -> 12L * vlen(e.values().size(), id);
            case BtfType.FuncProto f -> 8L * vlen(f.params().size() + (f.variadic() ? 1 : 0), id);
            case BtfType.Var v -> 4;
            case BtfType.DataSec d -> 12L * vlen(d.vars().size(), id);
            case BtfType.DeclTag d -> 4;
            case BtfType.Reference r -> 0;
            case BtfType.Fwd f -> 0;
            case BtfType.Func f -> 0;
            case BtfType.Float f -> 0;
        };
    }

    private static int vlen(int n, int id) {
        if (n > 0xffff) {
            throw new IllegalArgumentException("type id " + id + " has " + n + " members/values; BTF allows 65535");
        }
        return n;
    }

    /** Adds every name to the table in type order, so offsets are deterministic. */
    private static byte[] collectStrings(List<? extends BtfType> types, Strings strings) {
        for (BtfType t : types) {
            strings.add(t.name());
            switch (t) {
                case BtfType.Composite c -> c.members().forEach(m -> strings.add(m.name()));
                case BtfType.Enumeration e -> e.values().forEach(v -> strings.add(v.name()));
                case BtfType.FuncProto f -> f.params().forEach(p -> strings.add(p.name()));
                default -> { }
            }
        }
        return strings.bytes();
    }

    private void put(int v) {
        out.set(u32, at, v);
        at += 4;
    }

    private void header(int nameOff, int kind, int vlen, boolean kindFlag, int sizeOrType) {
        put(nameOff);
        put((kindFlag ? 0x8000_0000 : 0) | (kind << 24) | vlen);
        put(sizeOrType);
    }

    private void write(BtfType t, Strings s) {
        int name = s.offset(t.name());
        int kind = t.kind().value();
        switch (t) {
            case BtfType.Int i -> {
                header(name, kind, 0, false, i.size());
                put(i.encoding().value() << 24 | (i.bitOffset() & 0xff) << 16 | (i.bits() & 0xff));
            }
            case BtfType.Array a -> {
                header(0, kind, 0, false, 0);
                put(a.type());
                put(a.indexType());
                put(a.length());
            }
            case BtfType.Composite c -> {
                boolean bitfields = c.members().stream().anyMatch(m -> m.bitfieldSize() != 0);
                header(name, kind, c.members().size(), bitfields, c.size());
                for (BtfType.Member m : c.members()) {
                    put(s.offset(m.name()));
                    put(m.type());
                    if (bitfields) {
                        if (m.bitOffset() >>> 24 != 0 || m.bitfieldSize() >>> 8 != 0) {
                            throw new IllegalArgumentException("member " + m.name() + " of " + c.name()
                                    + ": bit offset " + m.bitOffset() + " / bitfield size " + m.bitfieldSize()
                                    + " do not fit BTF's 24/8 bits");
                        }
                        put(m.bitfieldSize() << 24 | m.bitOffset());
                    } else {
                        put(m.bitOffset());
                    }
                }
            }
            case BtfType.Enum e -> {
                header(name, kind, e.values().size(), e.signed(), e.size());
                for (BtfType.EnumValue v : e.values()) {
                    put(s.offset(v.name()));
                    put((int) v.value());
                }
            }
            case BtfType.Enum64 e -> {
                header(name, kind, e.values().size(), e.signed(), e.size());
                for (BtfType.EnumValue v : e.values()) {
                    put(s.offset(v.name()));
                    put((int) v.value());
                    put((int) (v.value() >>> 32));
                }
            }
            case BtfType.FuncProto f -> {
                header(0, kind, f.params().size() + (f.variadic() ? 1 : 0), false, f.returnType());
                for (BtfType.Param p : f.params()) {
                    put(s.offset(p.name()));
                    put(p.type());
                }
                if (f.variadic()) {
                    put(0);
                    put(0);
                }
            }
            case BtfType.Var v -> {
                header(name, kind, 0, false, v.type());
                put(v.linkage().value());
            }
            case BtfType.DataSec d -> {
                header(name, kind, d.vars().size(), false, d.size());
                for (BtfType.VarSecInfo v : d.vars()) {
                    put(v.type());
                    put(v.offset());
                    put(v.size());
                }
            }
            case BtfType.DeclTag d -> {
                header(name, kind, 0, d.attribute(), d.type());
                put(d.componentIdx());
            }
            case BtfType.TypeTag tt -> header(name, kind, 0, tt.attribute(), tt.type());
            case BtfType.Reference r -> header(name, kind, 0, false, r.type());
            case BtfType.Fwd f -> header(name, kind, 0, f.union(), 0);
            case BtfType.Func f -> header(name, kind, f.linkage().value(), false, f.type());
            case BtfType.Float f -> header(name, kind, 0, false, f.size());
            case BtfType.Void v -> throw new AssertionError("rejected by encodedSize");
        }
    }

    /** A deduplicating string table; offsets start at {@code first} (the base's length for split BTF). */
    private static final class Strings {
        private final Map<String, Integer> offsets = new HashMap<>();
        private final int first;
        private byte[] bytes = new byte[4096];
        private int length;

        Strings(int first, boolean startWithEmpty) {
            this.first = first;
            offsets.put("", 0); // offset 0 is the empty string, in the base for split BTF
            if (startWithEmpty) {
                length = 1;
            }
        }

        void add(String s) {
            if (offsets.containsKey(s)) {
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            for (byte x : b) {
                if (x == 0) {
                    throw new IllegalArgumentException("BTF string contains a NUL byte: \"" + s + "\"");
                }
            }
            if (length + b.length + 1 > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + b.length + 1));
            }
            System.arraycopy(b, 0, bytes, length, b.length);
            offsets.put(s, first + length);
            length += b.length + 1;
        }

        int offset(String s) {
            return offsets.get(s);
        }

        byte[] bytes() {
            return Arrays.copyOf(bytes, length);
        }
    }
}
