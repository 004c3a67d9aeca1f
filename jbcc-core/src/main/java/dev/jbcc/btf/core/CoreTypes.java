package dev.jbcc.btf.core;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfKind;
import dev.jbcc.btf.BtfType;

import java.util.List;

/**
 * The type relations CO-RE relocation relies on, between a type of the object's BTF ("local") and
 * one of the kernel's ("target"). They follow the kernel/libbpf definitions, so a program
 * relocates the same way here as with libbpf:
 *
 * <ul>
 *   <li>{@link #fieldsCompatible}: can a field of the local type be read as the target field
 *       (used while matching field access chains; loose: any two integers, any two pointers);</li>
 *   <li>{@link #typesCompatible}: the check behind TYPE_EXISTS, TYPE_SIZE and TYPE_ID_TARGET
 *       (same kinds recursively through pointers, arrays and function prototypes);</li>
 *   <li>{@link #typesMatch}: the stricter TYPE_MATCHES (every local member and enumerator must
 *       exist in the target by name, integers must agree in size and sign).</li>
 * </ul>
 */
final class CoreTypes {
    /** Recursion bound for the type walks; BTF can describe cycles (through pointers). */
    private static final int MAX_DEPTH = 32;

    private CoreTypes() {}

    // ---------------------------------------------------------------------------------------------
    // Names

    /**
     * Length of a name without its flavour: {@code task_struct___v2} → 11. The separator is the
     * last {@code ___} that has a non-underscore on both sides.
     */
    static int essentialLength(String name) {
        for (int i = name.length() - 5; i >= 0; i--) {
            if (name.charAt(i) != '_' && name.charAt(i + 1) == '_' && name.charAt(i + 2) == '_'
                    && name.charAt(i + 3) == '_' && name.charAt(i + 4) != '_') {
                return i + 1;
            }
        }
        return name.length();
    }

    /** The name without its flavour suffix. */
    static String essentialName(String name) {
        int n = essentialLength(name);
        return n == name.length() ? name : name.substring(0, n);
    }

    /** Whether two names agree once flavours are stripped. */
    static boolean essentialNamesEqual(String a, String b) {
        int n = essentialLength(a);
        return n == essentialLength(b) && a.regionMatches(0, b, 0, n);
    }

    /** TYPE_MATCHES naming: an anonymous target only matches an anonymous local. */
    private static boolean namesMatch(String local, String target) {
        if (target.isEmpty()) return local.isEmpty();
        return essentialNamesEqual(local, target);
    }

    /** Same kind, except that a 32-bit and a 64-bit enum are interchangeable. */
    static boolean kindsCompatible(BtfKind a, BtfKind b) {
        return a == b || isEnum(a) && isEnum(b);
    }

    private static boolean isEnum(BtfKind k) {
        return k == BtfKind.ENUM || k == BtfKind.ENUM64;
    }

    private static boolean isComposite(BtfKind k) {
        return k == BtfKind.STRUCT || k == BtfKind.UNION;
    }

    // ---------------------------------------------------------------------------------------------
    // Field compatibility

    /**
     * Whether the local field type can be relocated onto the target field type: structs and
     * unions always (their members are matched on their own), pointers and floats of any kind,
     * enums and forward declarations with equal essential names (or one anonymous), integers
     * unless they use the obsolete BTF int bit offset, arrays by element.
     */
    static boolean fieldsCompatible(Btf local, int localId, Btf target, int targetId) {
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            localId = local.resolve(localId);
            targetId = target.resolve(targetId);
            BtfKind lk = local.kind(localId);
            BtfKind tk = target.kind(targetId);
            if (isComposite(lk) && isComposite(tk)) return true;
            if (!kindsCompatible(lk, tk)) return false;
            switch (lk) {
                case PTR, FLOAT -> {
                    return true;
                }
                case FWD, ENUM, ENUM64 -> {
                    String ln = local.name(localId);
                    String tn = target.name(targetId);
                    return ln.isEmpty() || tn.isEmpty() || essentialNamesEqual(ln, tn);
                }
                case INT -> {
                    return noIntOffset(local, localId) && noIntOffset(target, targetId);
                }
                case ARRAY -> {
                    localId = local.type(localId, BtfType.Array.class).type();
                    targetId = target.type(targetId, BtfType.Array.class).type();
                }
                default -> {
                    return false;
                }
            }
        }
        throw tooDeep(local, localId);
    }

    private static boolean noIntOffset(Btf btf, int id) {
        return btf.type(id, BtfType.Int.class).bitOffset() == 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Type compatibility (TYPE_EXISTS, TYPE_SIZE, TYPE_ID_TARGET)

    /**
     * Whether the local type is compatible with the target: kinds agree (after typedefs and
     * qualifiers); structs, unions, enums and forward declarations are then compatible whatever
     * their members (names were matched when the candidates were chosen); integers unless they
     * use the int bit offset; pointers and arrays by what they refer to; function prototypes by
     * parameter count, each parameter and the return type.
     */
    static boolean typesCompatible(Btf local, int localId, Btf target, int targetId) {
        return typesCompatible(local, localId, target, targetId, MAX_DEPTH);
    }

    private static boolean typesCompatible(Btf local, int localId, Btf target, int targetId, int depth) {
        while (true) {
            if (--depth < 0) throw tooDeep(local, localId);
            localId = local.resolve(localId);
            targetId = target.resolve(targetId);
            BtfKind lk = local.kind(localId);
            if (!kindsCompatible(lk, target.kind(targetId))) return false;
            switch (lk) {
                case VOID, STRUCT, UNION, ENUM, ENUM64, FWD -> {
                    return true;
                }
                case INT -> {
                    return noIntOffset(local, localId) && noIntOffset(target, targetId);
                }
                case PTR -> {
                    localId = local.type(localId, BtfType.Ptr.class).type();
                    targetId = target.type(targetId, BtfType.Ptr.class).type();
                }
                case ARRAY -> {
                    localId = local.type(localId, BtfType.Array.class).type();
                    targetId = target.type(targetId, BtfType.Array.class).type();
                }
                case FUNC_PROTO -> {
                    BtfType.FuncProto lp = local.type(localId, BtfType.FuncProto.class);
                    BtfType.FuncProto tp = target.type(targetId, BtfType.FuncProto.class);
                    if (lp.params().size() != tp.params().size() || lp.variadic() != tp.variadic()) return false;
                    for (int i = 0; i < lp.params().size(); i++) {
                        if (!typesCompatible(local, lp.params().get(i).type(), target, tp.params().get(i).type(), depth)) {
                            return false;
                        }
                    }
                    localId = lp.returnType();
                    targetId = tp.returnType();
                }
                default -> {
                    return false;
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Type matching (TYPE_MATCHES)

    /**
     * Whether the local type matches the target (the root names were already compared by the
     * candidate search). Typedefs and qualifiers are looked through; then kinds must be equal,
     * except that behind a pointer a struct or union also matches a forward declaration of the
     * same kind, and enum matches enum64. Integers: same size and signedness. Enums: same size,
     * every local enumerator exists in the target by name. Structs and unions: every local member
     * exists in the target by name with a matching type. Pointers and arrays (same length) by what
     * they refer to; function prototypes by parameters and return type.
     */
    static boolean typesMatch(Btf local, int localId, Btf target, int targetId) {
        return typesMatch(local, localId, target, targetId, false, MAX_DEPTH);
    }

    private static boolean typesMatch(Btf local, int localId, Btf target, int targetId, boolean behindPointer,
                                      int depth) {
        while (true) {
            if (--depth < 0) throw tooDeep(local, localId);
            localId = local.resolve(localId);
            targetId = target.resolve(targetId);
            if (!namesMatch(local.name(localId), target.name(targetId))) return false;
            BtfKind lk = local.kind(localId);
            BtfKind tk = target.kind(targetId);
            switch (lk) {
                case VOID -> {
                    return tk == BtfKind.VOID;
                }
                case FWD -> {
                    boolean localUnion = local.type(localId, BtfType.Fwd.class).union();
                    if (tk == BtfKind.FWD) return localUnion == target.type(targetId, BtfType.Fwd.class).union();
                    // Behind a pointer a declaration stands for the full type.
                    return behindPointer && (localUnion ? tk == BtfKind.UNION : tk == BtfKind.STRUCT);
                }
                case ENUM, ENUM64 -> {
                    return isEnum(tk) && enumsMatch(local, localId, target, targetId);
                }
                case STRUCT, UNION -> {
                    if (behindPointer) {
                        if (lk == tk) return true;
                        return tk == BtfKind.FWD && target.type(targetId, BtfType.Fwd.class).union() == (lk == BtfKind.UNION);
                    }
                    return lk == tk && compositesMatch(local, localId, target, targetId, depth);
                }
                case INT -> {
                    if (tk != BtfKind.INT) return false;
                    BtfType.Int li = local.type(localId, BtfType.Int.class);
                    BtfType.Int ti = target.type(targetId, BtfType.Int.class);
                    return li.size() == ti.size()
                            && (li.encoding() == BtfType.IntEncoding.SIGNED) == (ti.encoding() == BtfType.IntEncoding.SIGNED);
                }
                case PTR -> {
                    if (tk != BtfKind.PTR) return false;
                    behindPointer = true;
                    localId = local.type(localId, BtfType.Ptr.class).type();
                    targetId = target.type(targetId, BtfType.Ptr.class).type();
                }
                case ARRAY -> {
                    if (tk != BtfKind.ARRAY) return false;
                    BtfType.Array la = local.type(localId, BtfType.Array.class);
                    BtfType.Array ta = target.type(targetId, BtfType.Array.class);
                    if (la.length() != ta.length()) return false;
                    localId = la.type();
                    targetId = ta.type();
                }
                case FUNC_PROTO -> {
                    if (tk != BtfKind.FUNC_PROTO) return false;
                    BtfType.FuncProto lp = local.type(localId, BtfType.FuncProto.class);
                    BtfType.FuncProto tp = target.type(targetId, BtfType.FuncProto.class);
                    if (lp.params().size() != tp.params().size() || lp.variadic() != tp.variadic()) return false;
                    for (int i = 0; i < lp.params().size(); i++) {
                        if (!typesMatch(local, lp.params().get(i).type(), target, tp.params().get(i).type(),
                                behindPointer, depth)) {
                            return false;
                        }
                    }
                    localId = lp.returnType();
                    targetId = tp.returnType();
                }
                default -> {
                    return false;
                }
            }
        }
    }

    private static boolean enumsMatch(Btf local, int localId, Btf target, int targetId) {
        BtfType.Enumeration le = (BtfType.Enumeration) local.type(localId);
        BtfType.Enumeration te = (BtfType.Enumeration) target.type(targetId);
        if (le.size() != te.size() || le.values().size() > te.values().size()) return false;
        for (BtfType.EnumValue lv : le.values()) {
            boolean found = false;
            for (BtfType.EnumValue tv : te.values()) {
                if (namesMatch(lv.name(), tv.name())) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }

    private static boolean compositesMatch(Btf local, int localId, Btf target, int targetId, int depth) {
        List<BtfType.Member> lm = ((BtfType.Composite) local.type(localId)).members();
        List<BtfType.Member> tm = ((BtfType.Composite) target.type(targetId)).members();
        if (lm.size() > tm.size()) return false;
        for (BtfType.Member l : lm) {
            boolean found = false;
            for (BtfType.Member t : tm) {
                if (namesMatch(l.name(), t.name()) && typesMatch(local, l.type(), target, t.type(), false, depth)) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }

    private static CoreRelocationException tooDeep(Btf btf, int id) {
        return new CoreRelocationException("CO-RE: comparing " + btf.describe(id) + " with the kernel's type nests deeper than "
                + MAX_DEPTH + " levels (a type cycle?)");
    }
}
