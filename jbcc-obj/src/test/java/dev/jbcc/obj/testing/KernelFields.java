package dev.jbcc.obj.testing;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;

/**
 * Test oracle: where a member of a kernel struct lives, found by a plain walk of the BTF by member
 * names (through anonymous members), independently of the CO-RE resolver.
 */
public final class KernelFields {
    private KernelFields() {}

    /** A member: bit offset from the start of the outermost struct, bitfield width (0 if none), type id. */
    public record Field(long bitOffset, int bitfieldSize, int typeId) {
        public long byteOffset() {
            return bitOffset / 8;
        }
    }

    /** The one struct named {@code name}. */
    public static int struct(Btf btf, String name) {
        int[] ids = btf.lookup(name, BtfType.Struct.class);
        if (ids.length != 1) throw new AssertionError(ids.length + " structs named " + name + " in the kernel's BTF");
        return ids[0];
    }

    /** The member at dotted {@code path} ("se.vruntime") of struct {@code structName}, or null if it has none. */
    public static Field field(Btf btf, String structName, String path) {
        int type = struct(btf, structName);
        long base = 0;
        Field found = null;
        for (String name : path.split("\\.")) {
            found = member(btf, type, name, base);
            if (found == null) return null;
            base = found.bitOffset();
            type = found.typeId();
        }
        return found;
    }

    private static Field member(Btf btf, int compositeId, String name, long base) {
        if (!(btf.type(btf.resolve(compositeId)) instanceof BtfType.Composite c)) return null;
        for (BtfType.Member m : c.members()) {
            if (m.name().equals(name)) return new Field(base + m.bitOffset(), m.bitfieldSize(), m.type());
            if (m.name().isEmpty()) {
                Field inner = member(btf, m.type(), name, base + m.bitOffset());
                if (inner != null) return inner;
            }
        }
        return null;
    }

    /** Whether the member's type (looking through typedefs) is a signed integer or signed enum. */
    public static boolean signed(Btf btf, Field f) {
        BtfType t = btf.type(btf.resolve(f.typeId()));
        return t instanceof BtfType.Int i && i.encoding() == BtfType.IntEncoding.SIGNED
                || t instanceof BtfType.Enumeration e && e.signed();
    }

    /** The value of enumerator {@code value} of the kernel's enum {@code enumName}. */
    public static long enumValue(Btf btf, String enumName, String value) {
        int[] ids = btf.lookup(enumName, BtfType.Enumeration.class);
        if (ids.length != 1) throw new AssertionError(ids.length + " enums named " + enumName);
        for (BtfType.EnumValue v : ((BtfType.Enumeration) btf.type(ids[0])).values()) {
            if (v.name().equals(value)) return v.value();
        }
        throw new AssertionError("enum " + enumName + " has no " + value);
    }

    /**
     * The shifts that extract bitfield {@code f} from a little-endian u64 loaded from the aligned
     * unit of the member type's size that holds it: {lshift, rshift, unit byte offset, unit size}.
     */
    public static long[] bitfieldShifts(Btf btf, Field f) {
        long unit = btf.sizeOf(f.typeId());
        long unitStart = f.bitOffset() / 8 / unit * unit;
        if (f.bitOffset() + f.bitfieldSize() > (unitStart + unit) * 8) {
            throw new AssertionError("bitfield straddles its natural unit; pick another for the test");
        }
        long bitInUnit = f.bitOffset() - unitStart * 8;
        return new long[] {64 - (bitInUnit + f.bitfieldSize()), 64 - f.bitfieldSize(), unitStart, unit};
    }
}
