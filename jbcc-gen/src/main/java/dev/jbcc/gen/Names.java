package dev.jbcc.gen;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Java identifiers from C names, and a scope that keeps them unique. */
final class Names {
    private static final Set<String> KEYWORDS = Set.of(
            "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const", "continue",
            "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "goto", "if",
            "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private",
            "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this",
            "throw", "throws", "transient", "try", "void", "volatile", "while", "true", "false", "null", "var",
            "yield", "record", "sealed", "permits", "when", "_",
            // methods every object has, which a record component or generated method must not shadow
            "hashCode", "toString", "equals", "getClass", "notify", "notifyAll", "wait", "clone", "finalize");

    private Names() {}

    /** {@code sys_enter_openat} → {@code sysEnterOpenat}; leading digits get a prefix. */
    static String lowerCamel(String c) {
        String upper = upperCamel(c);
        String lower = upper.isEmpty() ? "value" : Character.toLowerCase(upper.charAt(0)) + upper.substring(1);
        return KEYWORDS.contains(lower) ? lower + "_" : lower;
    }

    /** {@code task_info} → {@code TaskInfo}. */
    static String upperCamel(String c) {
        var out = new StringBuilder();
        boolean up = true;
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (!Character.isLetterOrDigit(ch) || ch > 127) {
                up = true;
                continue;
            }
            out.append(up ? Character.toUpperCase(ch) : ch);
            up = false;
        }
        if (out.isEmpty()) return "";
        if (Character.isDigit(out.charAt(0))) out.insert(0, 'T');
        return out.toString();
    }

    /** An enum constant: the C enumerator as is when it is a valid identifier. */
    static String constant(String c) {
        String s = c.replaceAll("[^A-Za-z0-9_$]", "_");
        if (s.isEmpty() || Character.isDigit(s.charAt(0))) s = "_" + s;
        return KEYWORDS.contains(s) ? s.toUpperCase(Locale.ROOT) + "_" : s;
    }

    /** Names already taken in one Java scope; {@link #unique} adds a suffix on a clash. */
    static final class Scope {
        private final Set<String> taken = new HashSet<>();

        Scope(Set<String> reserved) {
            taken.addAll(reserved);
        }

        String unique(String name, String suffix) {
            if (taken.add(name)) return name;
            if (taken.add(name + suffix)) return name + suffix;
            for (int i = 2; ; i++) if (taken.add(name + suffix + i)) return name + suffix + i;
        }
    }
}
