package dev.jbcc.btf.core;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfKind;
import dev.jbcc.btf.BtfType;

import dev.jbcc.errors.CoreRelocationException;
import java.util.List;

/**
 * The three relations CO-RE uses between a local and a target type, as the kernel documents them:
 * field compatibility (loose: any two structs, any two ints), type compatibility (for
 * {@code TYPE_EXISTS}/{@code TYPE_SIZE}/{@code TYPE_ID_TARGET}) and type match (for
 * {@code TYPE_MATCHES}: members and enumerators by name, int sizes and signedness). Typedefs and
 * qualifiers are looked through on both sides.
 */
final class TypeCompat {
    /** Recursion bound on nested types; beyond it the types are treated as a cycle (libbpf uses 32). */
    private static final int MAX_DEPTH = 32;

    private TypeCompat() {}

    /** Same kind, where enum and enum64 count as one kind. */
    static boolean kindsCompatible(BtfKind a, BtfKind b) {
        return a == b || isEnum(a) && isEnum(b);
    }

    private static boolean isEnum(BtfKind k) {
        return k == BtfKind.ENUM || k == BtfKind.ENUM64;
    }

    // ---------------------------------------------------------------------------------------------
    // Field compatibility

    /**
     * Whether a field of local type {@code localId} can be relocated to a target field of type
     * {@code targetId}: structs and unions mix freely, pointers and floats always fit, ints fit
     * unless they are old-style bitfield ints, enums and forward declarations need the same
     * essential name (or one anonymous), arrays compare their elements.
     */
    static boolean fieldsCompatible(Btf local, int localId, Btf target, int targetId) {
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            localId = local.resolve(localId);
            targetId = target.resolve(targetId);
            BtfType l = local.type(localId);
            BtfType t = target.type(targetId);
            if (l instanceof BtfType.Composite && t instanceof BtfType.Composite) return true;
            if (!kindsCompatible(l.kind(), t.kind())) return false;
            switch (l) {
                case BtfType.Ptr p -> { return true; }
                case BtfType.Float f -> { return true; }
                case BtfType.Fwd f -> { return namesCompatibleOrAnonymous(l.name(), t.name()); }
                case BtfType.Enumeration e -> { return namesCompatibleOrAnonymous(l.name(), t.name()); }
                case BtfType.Int i -> { return i.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0; }
                case BtfType.Array a -> {
                    localId = a.type();
                    targetId = ((BtfType.Array) t).type();
                }
                default -> { return false; }
            }
        }
        throw tooDeep(local, localId);
    }

    private static boolean namesCompatibleOrAnonymous(String local, String target) {
        int l = Names.essentialLength(local);
        int t = Names.essentialLength(target);
        return l == 0 || t == 0 || l == t && local.regionMatches(0, target, 0, l);
    }

    // ---------------------------------------------------------------------------------------------
    // Type compatibility

    /**
     * Whether target type {@code targetId} is compatible with local {@code localId} for the
     * type-based relocations. Names were matched by the candidate search; here kinds must agree
     * (looking through typedefs and qualifiers), ints must not be bitfield ints, pointers and arrays
     * compare what they refer to, function prototypes compare parameters and return type. Struct,
     * union, enum and forward declaration are compatible with their own kind whatever their members.
     */
    static boolean typesCompatible(Btf local, int localId, Btf target, int targetId) {
        return typesCompatible(local, localId, target, targetId, MAX_DEPTH);
    }

    private static boolean typesCompatible(Btf local, int localId, Btf target, int targetId, int level) {
        if (!kindsCompatible(local.kind(localId), target.kind(targetId))) return false;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            localId = local.resolve(localId);
            targetId = target.resolve(targetId);
            BtfType l = local.type(localId);
            BtfType t = target.type(targetId);
            if (!kindsCompatible(l.kind(), t.kind())) return false;
            switch (l) {
                case BtfType.Void v -> { return true; }
                case BtfType.Composite c -> { return true; }
                case BtfType.Enumeration e -> { return true; }
                case BtfType.Fwd f -> { return true; }
                case BtfType.Int i -> { return i.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0; }
                case BtfType.Ptr p -> {
                    localId = p.type();
                    targetId = ((BtfType.Ptr) t).type();
                }
                case BtfType.Array a -> {
                    localId = a.type();
                    targetId = ((BtfType.Array) t).type();
                }
                case BtfType.FuncProto lp -> {
                    BtfType.FuncProto tp = (BtfType.FuncProto) t;
                    if (lp.params().size() != tp.params().size() || lp.variadic() != tp.variadic()) return false;
                    if (level <= 0) throw tooDeep(local, localId);
                    for (int i = 0; i < lp.params().size(); i++) {
                        if (!typesCompatible(local, local.resolve(lp.params().get(i).type()), target,
                                target.resolve(tp.params().get(i).type()), level - 1)) {
                            return false;
                        }
                    }
                    localId = lp.returnType();
                    targetId = tp.returnType();
                }
                default -> { return false; }
            }
        }
        throw tooDeep(local, localId);
    }

    // ---------------------------------------------------------------------------------------------
    // Type match

    /**
     * Whether target type {@code targetId} matches local {@code localId} ({@code TYPE_MATCHES},
     * {@code bpf_core_type_matches()}): every named type on the way has the same essential name;
     * ints agree in size and signedness; enums in size, with every local enumerator named in the
     * target; structs and unions have every local member (by name) with a matching type, except
     * that behind a pointer only kind and name count (a struct also matches a forward declaration
     * there); arrays need the same length; function prototypes the same parameters.
     */
    static boolean typesMatch(Btf local, int localId, Btf target, int targetId) {
        return typesMatch(local, localId, target, targetId, false, MAX_DEPTH);
    }

    private static boolean typesMatch(Btf local, int localId, Btf target, int targetId, boolean behindPointer, int level) {
        if (level <= 0) throw tooDeep(local, localId);
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            localId = local.resolve(localId);
            targetId = target.resolve(targetId);
            BtfType l = local.type(localId);
            BtfType t = target.type(targetId);
            if (!Names.match(l.name(), t.name())) return false;
            BtfKind lk = l.kind();
            BtfKind tk = t.kind();
            switch (l) {
                case BtfType.Void v -> { return tk == BtfKind.VOID; }
                case BtfType.Fwd lf -> {
                    if (t instanceof BtfType.Fwd tf) return lf.union() == tf.union();
                    // Behind a pointer a declaration matches the definition of the same kind.
                    return behindPointer && (lf.union() ? tk == BtfKind.UNION : tk == BtfKind.STRUCT);
                }
                case BtfType.Enumeration le -> {
                    return t instanceof BtfType.Enumeration te && enumsMatch(le, te);
                }
                case BtfType.Composite lc -> {
                    if (behindPointer) {
                        if (lk == tk) return true;
                        return t instanceof BtfType.Fwd tf && tf.union() == (lk == BtfKind.UNION);
                    }
                    return lk == tk && compositesMatch(local, lc, target, (BtfType.Composite) t, level);
                }
                case BtfType.Int li -> {
                    return t instanceof BtfType.Int ti && li.size() == ti.size()
                            && (li.encoding() == BtfType.IntEncoding.SIGNED) == (ti.encoding() == BtfType.IntEncoding.SIGNED);
                }
                case BtfType.Ptr lp -> {
                    if (!(t instanceof BtfType.Ptr tp)) return false;
                    behindPointer = true;
                    localId = lp.type();
                    targetId = tp.type();
                }
                case BtfType.Array la -> {
                    if (!(t instanceof BtfType.Array ta) || la.length() != ta.length()) return false;
                    localId = la.type();
                    targetId = ta.type();
                }
                case BtfType.FuncProto lp -> {
                    if (!(t instanceof BtfType.FuncProto tp) || lp.params().size() != tp.params().size()
                            || lp.variadic() != tp.variadic()) {
                        return false;
                    }
                    for (int i = 0; i < lp.params().size(); i++) {
                        if (!typesMatch(local, lp.params().get(i).type(), target, tp.params().get(i).type(),
                                behindPointer, level - 1)) {
                            return false;
                        }
                    }
                    localId = lp.returnType();
                    targetId = tp.returnType();
                }
                default -> { return false; }
            }
        }
        throw tooDeep(local, localId);
    }

    private static boolean enumsMatch(BtfType.Enumeration local, BtfType.Enumeration target) {
        if (local.size() != target.size() || local.values().size() > target.values().size()) return false;
        for (BtfType.EnumValue lv : local.values()) {
            boolean found = false;
            for (BtfType.EnumValue tv : target.values()) {
                if (Names.match(lv.name(), tv.name())) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }

    private static boolean compositesMatch(Btf local, BtfType.Composite lc, Btf target, BtfType.Composite tc, int level) {
        List<BtfType.Member> targetMembers = tc.members();
        if (lc.members().size() > targetMembers.size()) return false;
        for (BtfType.Member lm : lc.members()) {
            boolean found = false;
            for (BtfType.Member tm : targetMembers) {
                if (Names.match(lm.name(), tm.name()) && typesMatch(local, lm.type(), target, tm.type(), false, level - 1)) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }

    private static CoreRelocationException tooDeep(Btf btf, int id) {
        return new CoreRelocationException("comparing " + btf.describe(id) + " with the target nests deeper than "
                + MAX_DEPTH + " types (a reference cycle?)");
    }
}
