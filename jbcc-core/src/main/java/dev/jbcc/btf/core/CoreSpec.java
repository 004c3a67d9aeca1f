package dev.jbcc.btf.core;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfKind;
import dev.jbcc.btf.BtfType;
import dev.jbcc.btf.CoreReloKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A relocation's access path resolved on one BTF: the root type, the chain of named members and
 * array indices (the "high-level" accessors, anonymous members left out), every raw index, and the
 * bit offset the chain reaches. The local spec comes from the access string; a target spec is
 * built while matching it against a candidate kernel type.
 *
 * <p>Mutable while a target spec is being matched (members are tried and popped), then not
 * changed again.
 */
final class CoreSpec {
    /** Deepest nesting the kernel's bpf_core_relo format allows ({@code BPF_CORE_SPEC_MAX_LEN}). */
    static final int MAX_LENGTH = 64;

    /**
     * One step the program names: a member ({@code name} non-null; {@code typeId} is the
     * enclosing struct/union, {@code index} the member's) or an array index ({@code name} null;
     * {@code typeId} the element type). For enum relocations: the enum and the enumerator.
     */
    record Accessor(int typeId, int index, String name) {}

    final Btf btf;
    final int rootTypeId;
    final CoreReloKind kind;
    final List<Accessor> accessors = new ArrayList<>(4);
    int[] raw = new int[4];
    int rawLength;
    long bitOffset;

    CoreSpec(Btf btf, int rootTypeId, CoreReloKind kind) {
        this.btf = btf;
        this.rootTypeId = rootTypeId;
        this.kind = kind;
    }

    void pushRaw(int index) {
        if (rawLength == raw.length) raw = Arrays.copyOf(raw, raw.length * 2);
        raw[rawLength++] = index;
    }

    /** The access string's indices, e.g. {@code "0:1:3"} → 0, 1, 3. */
    static int[] parseAccessString(String access) {
        if (access == null || access.isEmpty()) {
            throw new IllegalArgumentException("empty access string");
        }
        int count = 1;
        for (int i = 0; i < access.length(); i++) {
            if (access.charAt(i) == ':') count++;
        }
        if (count > MAX_LENGTH) {
            throw new IllegalArgumentException("access string \"" + access + "\" is deeper than " + MAX_LENGTH);
        }
        int[] out = new int[count];
        int n = 0;
        long value = 0;
        int digits = 0;
        for (int i = 0; i <= access.length(); i++) {
            char c = i < access.length() ? access.charAt(i) : ':';
            if (c == ':') {
                if (digits == 0) throw new IllegalArgumentException("access string \"" + access + "\" has an empty index");
                out[n++] = (int) value;
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                if (value > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("access string \"" + access + "\" has an index out of range");
                }
                digits++;
            } else {
                throw new IllegalArgumentException("access string \"" + access + "\" has '" + c
                        + "' where a digit or ':' belongs");
            }
        }
        return out;
    }

    /**
     * Resolves {@code access} on the object's BTF. Errors mean the object's {@code .BTF.ext} does
     * not fit its {@code .BTF}: they are reported as {@link IllegalArgumentException} for the
     * caller to wrap with the relocation's context.
     */
    static CoreSpec parseLocal(Btf btf, int typeId, String access, CoreReloKind kind) {
        if (typeId <= 0 || typeId >= btf.typeCount()) {
            throw new IllegalArgumentException("type id " + typeId + " is not in the object's BTF (ids 1.."
                    + (btf.typeCount() - 1) + ")");
        }
        int[] indices = parseAccessString(access);
        CoreSpec spec = new CoreSpec(btf, typeId, kind);
        if (kind.isType()) {
            if (indices.length != 1 || indices[0] != 0) {
                throw new IllegalArgumentException("a type relocation has access string \"0\", not \"" + access + "\"");
            }
            spec.pushRaw(0);
            return spec;
        }
        int id = btf.resolve(typeId);
        BtfType root = btf.type(id);
        if (kind.isEnumValue()) {
            if (!(root instanceof BtfType.Enumeration e)) {
                throw new IllegalArgumentException("an enum value relocation on " + btf.describe(typeId) + ", not an enum");
            }
            if (indices.length != 1 || indices[0] >= e.values().size()) {
                throw new IllegalArgumentException("access string \"" + access + "\" does not name one of the "
                        + e.values().size() + " enumerators of " + btf.describe(id));
            }
            spec.accessors.add(new Accessor(id, indices[0], e.values().get(indices[0]).name()));
            spec.pushRaw(indices[0]);
            return spec;
        }
        // Field relocation: the first index is pointer arithmetic on the root (p[i].field).
        spec.pushRaw(indices[0]);
        spec.accessors.add(new Accessor(id, indices[0], null));
        spec.bitOffset = (long) indices[0] * sizeOf(btf, id) * 8;
        for (int i = 1; i < indices.length; i++) {
            int index = indices[i];
            BtfType t = btf.type(id);
            spec.pushRaw(index);
            switch (t) {
                case BtfType.Composite c -> {
                    if (index >= c.members().size()) {
                        throw new IllegalArgumentException("access string \"" + access + "\" names member " + index
                                + " of " + btf.describe(id) + ", which has " + c.members().size());
                    }
                    BtfType.Member m = c.members().get(index);
                    spec.bitOffset += m.bitOffset();
                    if (!m.name().isEmpty()) spec.accessors.add(new Accessor(id, index, m.name()));
                    id = btf.resolve(m.type());
                }
                case BtfType.Array a -> {
                    int element = btf.resolve(a.type());
                    if (!isFlexible(btf, spec.accessors.getLast(), a) && Integer.compareUnsigned(index, a.length()) >= 0) {
                        throw new IllegalArgumentException("access string \"" + access + "\" indexes element " + index
                                + " of an array of " + Integer.toUnsignedString(a.length()));
                    }
                    spec.accessors.add(new Accessor(element, index, null));
                    spec.bitOffset += (long) index * sizeOf(btf, element) * 8;
                    id = element;
                }
                default -> throw new IllegalArgumentException("access string \"" + access + "\" goes into "
                        + btf.describe(id) + " at step " + i + ", which is neither a struct, union nor array");
            }
        }
        return spec;
    }

    /** A zero-length array as the last member of a struct: any index is allowed. */
    static boolean isFlexible(Btf btf, Accessor enclosing, BtfType.Array array) {
        if (enclosing.name() == null || array.length() != 0) return false;
        BtfType t = btf.type(enclosing.typeId());
        return t instanceof BtfType.Composite c && enclosing.index() == c.members().size() - 1;
    }

    static long sizeOf(Btf btf, int id) {
        try {
            return btf.sizeOf(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(btf.describe(id) + " has no size", e);
        }
    }

    /** The raw indices as an access string, e.g. {@code 0:1:3}. */
    String rawString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rawLength; i++) {
            if (i > 0) sb.append(':');
            sb.append(raw[i]);
        }
        return sb.toString();
    }

    /**
     * C-like text for messages: {@code struct task_struct.pid}, {@code struct s.arr[3].x},
     * {@code enum bpf_map_type::BPF_MAP_TYPE_HASH}, {@code struct task_struct}.
     */
    String describe() {
        StringBuilder sb = new StringBuilder(typeName(btf, rootTypeId));
        if (kind.isEnumValue()) {
            sb.append("::").append(accessors.getFirst().name());
        } else if (kind.isField()) {
            for (int i = 0; i < accessors.size(); i++) {
                Accessor a = accessors.get(i);
                if (a.name() != null) {
                    sb.append('.').append(a.name());
                } else if (i > 0 || a.index() > 0) {
                    sb.append('[').append(a.index()).append(']');
                }
            }
        }
        return sb.toString();
    }

    /** {@code struct foo}, {@code union bar}, {@code enum baz}, {@code typedef u32}, {@code int}. */
    static String typeName(Btf btf, int id) {
        BtfKind k = btf.kind(id);
        String name = btf.name(id);
        String shown = name.isEmpty() ? "(anonymous)" : name;
        return switch (k) {
            case STRUCT -> "struct " + shown;
            case UNION -> "union " + shown;
            case ENUM, ENUM64 -> "enum " + shown;
            case FWD -> (btf.type(id, BtfType.Fwd.class).union() ? "union " : "struct ") + shown;
            case TYPEDEF -> "typedef " + shown;
            case INT, FLOAT -> shown;
            default -> btf.describe(id).toLowerCase(java.util.Locale.ROOT);
        };
    }
}
