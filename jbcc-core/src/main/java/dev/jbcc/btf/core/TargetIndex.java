package dev.jbcc.btf.core;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfKind;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Finds candidate target types for a local type: same kind (enum and enum64 mix), same essential
 * name. Exact names go through the BTF's own name index; names with a flavour ({@code foo___2},
 * which bpftool and pahole produce for clashing kernel types) are indexed here by their essential
 * name, once per target BTF, in one pass over its types.
 */
final class TargetIndex {
    /** One index per target BTF (usually just the kernel's), dropped with the BTF. */
    private static final Map<Btf, TargetIndex> CACHE = new WeakHashMap<>();

    /** Essential name to ids of the types whose name has a flavour. Holds no reference to the BTF (the cache's key). */
    private final Map<String, int[]> flavoured;

    private TargetIndex(Btf target) {
        Map<String, int[]> byEssential = new HashMap<>();
        int count = target.typeCount();
        for (int id = 1; id < count; id++) {
            String name = target.name(id);
            if (name.length() < 5 || name.indexOf("___") < 0) continue;
            int n = Names.essentialLength(name);
            if (n == name.length()) continue;
            byEssential.merge(name.substring(0, n), new int[] {id}, TargetIndex::concat);
        }
        this.flavoured = byEssential;
    }

    static TargetIndex of(Btf target) {
        synchronized (CACHE) {
            return CACHE.computeIfAbsent(target, TargetIndex::new);
        }
    }

    /** Ids of {@code target}'s types of a kind compatible with {@code kind} whose essential name is {@code essential}, ascending. */
    int[] candidates(Btf target, String essential, BtfKind kind) {
        int[] exact = target.lookup(essential);
        int[] flavours = flavoured.getOrDefault(essential, new int[0]);
        int[] all = new int[exact.length + flavours.length];
        int n = 0;
        for (int id : exact) {
            // An exact name can still carry a flavour of its own ("a___b" is "a"'s flavour, not "a___b"'s).
            if (TypeCompat.kindsCompatible(target.kind(id), kind) && Names.essentialLength(essential) == essential.length()) {
                all[n++] = id;
            }
        }
        for (int id : flavours) {
            if (TypeCompat.kindsCompatible(target.kind(id), kind)) all[n++] = id;
        }
        int[] result = Arrays.copyOf(all, n);
        Arrays.sort(result);
        return result;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
