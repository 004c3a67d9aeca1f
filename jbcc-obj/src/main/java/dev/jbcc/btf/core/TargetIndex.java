package dev.jbcc.btf.core;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfKind;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Finds candidate target types for a local type: same kind (enum and enum64 mix), same essential
 * name. Exact names go through the BTF's own name index; names with a flavour ({@code foo___2},
 * which bpftool and pahole produce for clashing kernel types) are indexed here by their essential
 * name, once per target BTF and kind.
 *
 * <p>Per kind, because decoding every type name is what costs: the kernel has ~126k types, ~56k of
 * them functions, while relocations look for structs, unions, enums and typedefs. Indexing only
 * the kinds asked for keeps a cold start (a CLI run) to a few milliseconds instead of tens to
 * hundreds. Each BTF indexes its own types; split BTF asks its base for the base's.
 */
final class TargetIndex {
    /** One index per target BTF (usually just the kernel's), dropped with the BTF. */
    private static final Map<Btf, TargetIndex> CACHE = new WeakHashMap<>();

    /**
     * Per kind, essential name to ids of the types of that kind whose name has a flavour. Holds no
     * reference to the BTF (the cache's key). Guarded by {@code this}.
     */
    private final Map<BtfKind, Map<String, int[]>> flavoured = new EnumMap<>(BtfKind.class);

    private TargetIndex() {}

    static TargetIndex of(Btf target) {
        synchronized (CACHE) {
            return CACHE.computeIfAbsent(target, t -> new TargetIndex());
        }
    }

    /**
     * Ids of {@code target}'s types of a kind compatible with {@code kind} whose essential name is
     * {@code essential}, ascending; for split BTF with {@code withBase} false, only its own types
     * (a module's, not vmlinux's).
     */
    static int[] candidates(Btf target, String essential, BtfKind kind, boolean withBase) {
        int first = withBase ? 1 : target.firstTypeId();
        int[] exact = target.lookup(essential);
        int[] flavours = flavoured(target, essential, kind, withBase);
        int[] otherEnum = switch (kind) {
            case ENUM -> flavoured(target, essential, BtfKind.ENUM64, withBase);
            case ENUM64 -> flavoured(target, essential, BtfKind.ENUM, withBase);
            default -> NONE;
        };
        int[] all = new int[exact.length + flavours.length + otherEnum.length];
        int n = 0;
        for (int id : exact) {
            // An exact name can still carry a flavour of its own ("a___b" is "a"'s flavour, not "a___b"'s).
            if (id >= first && TypeCompat.kindsCompatible(target.kind(id), kind)
                    && Names.essentialLength(essential) == essential.length()) {
                all[n++] = id;
            }
        }
        for (int id : flavours) all[n++] = id;
        for (int id : otherEnum) all[n++] = id;
        int[] result = Arrays.copyOf(all, n);
        Arrays.sort(result);
        return result;
    }

    private static final int[] NONE = new int[0];

    /** Flavoured names of {@code kind} with this essential name: the BTF's own, then its base's. */
    private static int[] flavoured(Btf target, String essential, BtfKind kind, boolean withBase) {
        int[] own = of(target).byKind(target, kind).getOrDefault(essential, NONE);
        if (!withBase || target.base() == null) return own;
        int[] inBase = flavoured(target.base(), essential, kind, true);
        return inBase.length == 0 ? own : concat(inBase, own);
    }

    /** The flavoured names of one kind, indexed on first use. */
    private Map<String, int[]> byKind(Btf target, BtfKind kind) {
        synchronized (this) {
            Map<String, int[]> built = flavoured.get(kind);
            if (built != null) return built;
        }
        Map<String, int[]> byEssential = new HashMap<>();
        int count = target.typeCount();
        for (int id = target.firstTypeId(); id < count; id++) {
            if (target.kind(id) != kind) continue; // reads the kind without decoding the name
            String name = target.name(id);
            if (name.length() < 5 || name.indexOf("___") < 0) continue;
            int n = Names.essentialLength(name);
            if (n == name.length()) continue;
            byEssential.merge(name.substring(0, n), new int[] {id}, TargetIndex::concat);
        }
        synchronized (this) {
            Map<String, int[]> raced = flavoured.putIfAbsent(kind, byEssential);
            return raced != null ? raced : byEssential;
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
