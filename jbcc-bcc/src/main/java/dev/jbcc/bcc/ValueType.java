package dev.jbcc.bcc;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.btf.FlatMember;

import java.util.Map;

/**
 * The C type of a table's keys or leaves (or of a submitted event), as the program's BTF gives
 * it; or, where the object has no BTF type for it (perf output keys, fd arrays), an unsigned
 * integer of the map's size. Member offsets are computed once per type and shared by every value.
 *
 * @param btf     the program's BTF, or null for a plain unsigned integer
 * @param typeId  the type as declared (typedefs kept, for the name), 0 without BTF
 * @param size    bytes one value occupies
 * @param members for structs and unions, the members by name (those of anonymous members
 *                flattened in, as C reaches them); empty otherwise
 */
record ValueType(Btf btf, int typeId, int size, Map<String, FlatMember> members) {

    static ValueType of(Btf btf, int typeId, int fallbackSize) {
        if (btf == null || typeId == 0) return unsigned(fallbackSize);
        return new ValueType(btf, typeId, Math.toIntExact(btf.sizeOf(typeId)), FlatMember.of(btf, typeId));
    }

    static ValueType unsigned(int size) {
        return new ValueType(null, 0, size, Map.of());
    }

    /** The underlying BTF type (typedefs and qualifiers followed), or null without BTF. */
    BtfType resolved() {
        return btf == null ? null : btf.type(btf.resolve(typeId));
    }

    boolean isComposite() {
        return resolved() instanceof BtfType.Composite;
    }

    /** Whether values are plain integers: ints, enums, pointers, or the BTF-less unsigned type. */
    boolean isInteger() {
        BtfType t = resolved();
        return t == null ? size == 1 || size == 2 || size == 4 || size == 8
                : t instanceof BtfType.Int i && i.size() <= 8 || t instanceof BtfType.Enumeration || t instanceof BtfType.Ptr;
    }

    boolean isSigned() {
        return switch (resolved()) {
            case BtfType.Int i -> i.encoding() == BtfType.IntEncoding.SIGNED;
            case BtfType.Enumeration e -> e.signed();
            case null, default -> false;
        };
    }

    /** The type of member {@code name}, for a nested value. */
    ValueType memberType(FlatMember m) {
        return of(btf, m.type(), 0);
    }

    FlatMember member(String name) {
        FlatMember m = members.get(name);
        if (m == null) {
            throw new IllegalArgumentException(cName() + " has no member '" + name + "'"
                    + (members.isEmpty() ? " (it is not a struct)" : "; it has " + members.keySet()));
        }
        return m;
    }

    /** The C spelling: "u32", "struct key_t", "char[16]", "u64" without BTF. */
    String cName() {
        if (btf == null) return "u" + size * 8;
        return cName(btf, typeId);
    }

    private static String cName(Btf btf, int id) {
        BtfType t = btf.type(id);
        return switch (t) {
            case BtfType.Struct s -> "struct " + (s.name().isEmpty() ? "(anonymous)" : s.name());
            case BtfType.Union u -> "union " + (u.name().isEmpty() ? "(anonymous)" : u.name());
            case BtfType.Enumeration e -> "enum " + e.name();
            case BtfType.Ptr p -> (p.type() == 0 ? "void" : cName(btf, p.type())) + " *";
            case BtfType.Array a -> cName(btf, a.type()) + "[" + a.length() + "]";
            case BtfType.Const c -> cName(btf, c.type());
            case BtfType.Volatile v -> cName(btf, v.type());
            default -> t.name().isEmpty() ? btf.describe(id) : t.name();
        };
    }

    /**
     * The ctypes class name bcc's Python gives an integer of this type ({@code c_uint},
     * {@code c_long}, ...), for {@link Value#toString()}.
     */
    String ctypesName() {
        BtfType t = resolved();
        if (t instanceof BtfType.Ptr) return "c_void_p";
        if (t instanceof BtfType.Int i && i.encoding() == BtfType.IntEncoding.BOOL) return "c_bool";
        boolean signed = isSigned();
        return switch (size) {
            case 1 -> signed ? "c_byte" : "c_ubyte";
            case 2 -> signed ? "c_short" : "c_ushort";
            case 4 -> signed ? "c_int" : "c_uint";
            case 8 -> signed ? "c_long" : "c_ulong";
            default -> "c_char_Array_" + size;
        };
    }
}
