package dev.jbcc.btf.core;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Looks up where a member sits in a BTF struct through the plain {@link Btf} API, for expected
 * values that do not come from the code under test: members are found by name, descending into
 * anonymous structs and unions.
 */
final class KernelLayout {
    private KernelLayout() {}

    /** A member's place: bit offset from the start of the outer struct, bitfield width (0 if none), type. */
    record Field(long bitOffset, int bitfieldSize, int typeId) {
        long byteOffset() {
            assertTrue(bitOffset % 8 == 0, "not byte aligned: bit " + bitOffset);
            return bitOffset / 8;
        }
    }

    /** The id of struct {@code name}. */
    static int struct(Btf btf, String name) {
        int[] ids = btf.lookup(name, BtfType.Struct.class);
        assertTrue(ids.length > 0, "no struct " + name);
        return ids[0];
    }

    /** Member {@code path} (names, dot by dot) of struct {@code name}. */
    static Field field(Btf btf, String name, String... path) {
        int id = struct(btf, name);
        long bits = 0;
        Field f = null;
        for (String member : path) {
            f = find(btf, btf.resolve(id), member);
            if (f == null) throw new AssertionError(btf.describe(id) + " has no member " + member);
            bits += f.bitOffset();
            id = f.typeId();
        }
        return new Field(bits, f.bitfieldSize(), f.typeId());
    }

    private static Field find(Btf btf, int compositeId, String member) {
        if (!(btf.type(compositeId) instanceof BtfType.Composite c)) return null;
        for (BtfType.Member m : c.members()) {
            if (m.name().equals(member)) return new Field(m.bitOffset(), m.bitfieldSize(), m.type());
            if (m.name().isEmpty()) {
                Field inner = find(btf, btf.resolve(m.type()), member);
                if (inner != null) return new Field(m.bitOffset() + inner.bitOffset(), inner.bitfieldSize(), inner.typeId());
            }
        }
        return null;
    }

    /** The value of enumerator {@code value} of enum {@code name}. */
    static long enumValue(Btf btf, String name, String value) {
        BtfType.Enumeration e = (BtfType.Enumeration) btf.type(btf.lookup(name, BtfType.Enumeration.class)[0]);
        for (BtfType.EnumValue v : e.values()) {
            if (v.name().equals(value)) return v.value();
        }
        throw new AssertionError("enum " + name + " has no " + value);
    }
}
