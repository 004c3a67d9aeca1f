package dev.jbcc.btf.core;

/**
 * CO-RE's <em>essential names</em>: a type, field or enumerator name without its flavour, the part
 * after the last {@code ___} (three underscores between two non-underscores). {@code task_struct},
 * {@code task_struct___v1} and {@code task_struct___local} all have the essential name
 * {@code task_struct}, so a program can carry several local variants of one kernel type.
 */
final class Names {
    private Names() {}

    /** Length of {@code name}'s essential prefix. */
    static int essentialLength(String name) {
        for (int i = name.length() - 5; i >= 0; i--) {
            if (name.charAt(i) != '_' && name.charAt(i + 1) == '_' && name.charAt(i + 2) == '_'
                    && name.charAt(i + 3) == '_' && name.charAt(i + 4) != '_') {
                return i + 1;
            }
        }
        return name.length();
    }

    static String essential(String name) {
        int n = essentialLength(name);
        return n == name.length() ? name : name.substring(0, n);
    }

    /** Whether the names agree ignoring flavours; an anonymous target only matches an anonymous local. */
    static boolean match(String local, String target) {
        if (target.isEmpty()) return local.isEmpty();
        int l = essentialLength(local);
        return l == essentialLength(target) && local.regionMatches(0, target, 0, l);
    }
}
