package dev.jbcc.btf.core;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.btf.CoreReloKind;
import dev.jbcc.errors.CoreRelocationException;
import dev.jbcc.errors.FormatException;

/**
 * One side of a relocation, resolved in one BTF: the accessor chain the access string spells, and
 * the bit offset it reaches.
 *
 * <p>Two views of the chain are kept. The <em>raw</em> one has one index per step, including steps
 * into anonymous struct/union members. The <em>accessor</em> one keeps only the steps that mean
 * something across BTFs: named members (matched by name) and array indices (kept as is); anonymous
 * members are found again by searching. For {@code s->a[3]} with {@code a} inside an anonymous
 * struct, raw is {@code 0:1:2:3} and the accessors are {@code [0]}, {@code .a}, {@code [3]}.
 *
 * <p>Mutable, because matching a target pushes and pops accessors while it searches.
 */
final class CoreSpec {
    /** Longest access chain accepted (libbpf's {@code BPF_CORE_SPEC_MAX_LEN}). */
    static final int MAX_LENGTH = 64;

    final Btf btf;
    final int rootTypeId;
    final CoreReloKind kind;

    final int[] raw = new int[MAX_LENGTH];
    int rawLength;

    /** Per accessor: the (resolved) type it indexes into, the index, and the member name or null for an array index. */
    final int[] accessorType = new int[MAX_LENGTH];
    final int[] accessorIndex = new int[MAX_LENGTH];
    final String[] accessorName = new String[MAX_LENGTH];
    int length;

    long bitOffset;

    CoreSpec(Btf btf, int rootTypeId, CoreReloKind kind) {
        this.btf = btf;
        this.rootTypeId = rootTypeId;
        this.kind = kind;
    }

    void push(int typeId, int index, String name) {
        accessorType[length] = typeId;
        accessorIndex[length] = index;
        accessorName[length] = name;
        length++;
    }

    void pushRaw(int index) {
        if (rawLength == MAX_LENGTH) {
            throw new CoreRelocationException("access chain of " + describeRoot() + " is deeper than " + MAX_LENGTH + " steps");
        }
        raw[rawLength++] = index;
    }

    // ---------------------------------------------------------------------------------------------
    // Parsing the local side

    /**
     * Resolves {@code accessString} on {@code typeId} in the object's BTF.
     *
     * @throws FormatException if the string is malformed or does not fit the type
     */
    static CoreSpec parse(Btf btf, int typeId, String accessString, CoreReloKind kind) {
        if (typeId <= 0 || typeId >= btf.typeCount()) {
            throw new FormatException("CO-RE relocation names type id " + typeId + ", which the object's BTF (ids 1.."
                    + (btf.typeCount() - 1) + ") does not have");
        }
        CoreSpec spec = new CoreSpec(btf, typeId, kind);
        if (kind.isType()) {
            if (!accessString.equals("0")) throw malformed(btf, typeId, accessString, kind, "a type relocation's access string is \"0\"");
            return spec;
        }
        spec.parseIndices(accessString);
        int id = btf.resolve(typeId);
        int first = spec.raw[0];
        spec.push(id, first, null);

        if (kind.isEnumValue()) {
            if (!(btf.type(id) instanceof BtfType.Enumeration e) || spec.rawLength > 1 || first >= e.values().size()) {
                throw malformed(btf, typeId, accessString, kind, "an enum value relocation names one enumerator of an enum");
            }
            spec.accessorName[0] = e.values().get(first).name();
            return spec;
        }

        spec.bitOffset = first * sizeOf(btf, id, spec) * 8;
        for (int i = 1; i < spec.rawLength; i++) {
            id = btf.resolve(id);
            int index = spec.raw[i];
            switch (btf.type(id)) {
                case BtfType.Composite c -> {
                    if (index >= c.members().size()) {
                        throw malformed(btf, typeId, accessString, kind, "member " + index + " of " + btf.describe(id)
                                + ", which has " + c.members().size());
                    }
                    BtfType.Member m = c.members().get(index);
                    spec.bitOffset += m.bitOffset();
                    if (!m.name().isEmpty()) spec.push(id, index, m.name());
                    id = m.type();
                }
                case BtfType.Array a -> {
                    int element = btf.resolve(a.type());
                    boolean flexible = spec.isFlexibleArray(a);
                    if (!flexible && Integer.compareUnsigned(index, a.length()) >= 0) {
                        throw malformed(btf, typeId, accessString, kind, "index " + index + " of an array of " + a.length());
                    }
                    spec.push(element, index, null);
                    spec.bitOffset += index * sizeOf(btf, element, spec) * 8;
                    id = element;
                }
                default -> throw malformed(btf, typeId, accessString, kind, "step " + i + " reaches " + btf.describe(id)
                        + ", which is neither a struct, a union nor an array");
            }
        }
        return spec;
    }

    private void parseIndices(String accessString) {
        if (accessString.isEmpty() || accessString.charAt(0) == ':') {
            throw malformed(btf, rootTypeId, accessString, kind, "indices separated by ':'");
        }
        int at = 0;
        while (at < accessString.length()) {
            if (accessString.charAt(at) == ':') at++;
            int start = at;
            long value = 0;
            while (at < accessString.length() && Character.isDigit(accessString.charAt(at)) && value <= Integer.MAX_VALUE) {
                value = value * 10 + (accessString.charAt(at++) - '0');
            }
            if (at == start || value > Integer.MAX_VALUE || at < accessString.length() && accessString.charAt(at) != ':') {
                throw malformed(btf, rootTypeId, accessString, kind, "non-negative indices separated by ':'");
            }
            if (rawLength == MAX_LENGTH) {
                throw malformed(btf, rootTypeId, accessString, kind, "at most " + MAX_LENGTH + " indices");
            }
            raw[rawLength++] = (int) value;
        }
    }

    /**
     * Whether an array reached through the last accessor is a flexible array member: length 0, and
     * the last member of its struct.
     */
    boolean isFlexibleArray(BtfType.Array array) {
        if (length == 0 || accessorName[length - 1] == null || array.length() != 0) return false;
        BtfType.Composite owner = (BtfType.Composite) btf.type(accessorType[length - 1]);
        return accessorIndex[length - 1] == owner.members().size() - 1;
    }

    static long sizeOf(Btf btf, int id, CoreSpec forMessage) {
        try {
            return btf.sizeOf(id);
        } catch (IllegalArgumentException e) {
            throw new CoreRelocationException("CO-RE relocation on " + forMessage.describeRoot() + " needs the size of "
                    + btf.describe(id) + ", which has none", e);
        }
    }

    private static FormatException malformed(Btf btf, int typeId, String accessString, CoreReloKind kind, String expected) {
        return new FormatException("CO-RE relocation " + kind + " on " + btf.describe(typeId) + " has access string \""
                + accessString + "\", which does not fit: expected " + expected + "; the object's .BTF.ext does not match its .BTF");
    }

    // ---------------------------------------------------------------------------------------------
    // Describing

    String describeRoot() {
        return describeType(btf, rootTypeId);
    }

    /** The access as C: {@code task_struct.se.vruntime}, {@code foo[2].bar}. */
    String describeAccess() {
        String root = btf.name(rootTypeId);
        var sb = new StringBuilder(root.isEmpty() ? "(anonymous " + kindWord(btf.type(btf.resolve(rootTypeId))) + ")" : root);
        for (int i = 0; i < length; i++) {
            if (accessorName[i] != null) sb.append('.').append(accessorName[i]);
            else if (i > 0 || accessorIndex[i] > 0) sb.append('[').append(accessorIndex[i]).append(']');
        }
        return sb.toString();
    }

    /** {@code struct task_struct}, {@code typedef pid_t}, {@code enum (anonymous)}. */
    static String describeType(Btf btf, int id) {
        BtfType t = btf.type(id);
        String name = t.name();
        return kindWord(t) + " " + (name.isEmpty() ? "(anonymous)" : name);
    }

    /** A type as C would name it, looking through typedefs and qualifiers: {@code int}, {@code struct foo}, {@code pointer}. */
    static String display(Btf btf, int id) {
        BtfType t = btf.type(btf.resolve(id));
        return switch (t) {
            case BtfType.Int i -> i.name();
            case BtfType.Float f -> f.name();
            case BtfType.Ptr p -> "pointer";
            case BtfType.Array a -> "array of " + Integer.toUnsignedString(a.length());
            case BtfType.Void v -> "void";
            default -> describeType(btf, btf.resolve(id));
        };
    }

    static String kindWord(BtfType t) {
        return switch (t) {
            case BtfType.Struct s -> "struct";
            case BtfType.Union u -> "union";
            case BtfType.Enumeration e -> "enum";
            case BtfType.Fwd f -> f.union() ? "union" : "struct";
            case BtfType.Typedef td -> "typedef";
            case BtfType.Int i -> "int";
            case BtfType.Float f -> "float";
            case BtfType.Ptr p -> "pointer";
            case BtfType.Array a -> "array";
            case BtfType.FuncProto fp -> "function type";
            default -> t.kind().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
