package dev.jbcc.bcc.dialect;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * clang's parser on a bcc program as its user wrote it, for the syntax errors of a program whose
 * rewrite did not compile. The rewrite turns {@code t.increment(k)} into a macro call, so a
 * missing {@code ;} before it shows up at the next line as "expected expression", and a missing
 * {@code )} inside it as an unterminated macro invocation. Here, instead, the table macros declare
 * each table as a struct of function pointers, one per method (as bcc's own headers do), and
 * {@code TRACEPOINT_PROBE} a function; clang then parses the original text and says "expected
 * ';'" where the {@code ;} is missing. Only its parse errors count: this header knows no table's
 * types, so its semantic complaints mean nothing.
 */
final class SyntaxCheck {
    /** The macros whose table name is their fourth argument: {@code BPF_TABLE(kind, key, leaf, name, …)}. */
    private static final Set<String> NAME_FOURTH = Set.of("BPF_TABLE", "BPF_TABLE_PUBLIC", "BPF_TABLE_SHARED",
            "BPF_F_TABLE", "BPF_TABLE_PINNED");
    private static final Pattern HEADER = Pattern.compile("^(.*?):(\\d+):(\\d+): (fatal error|error|warning|note|remark): (.*?)"
            + "(?: \\[(?:-W[^,\\]]*,)?([A-Za-z ]+ Issue)])?$");
    private static final String PARSE = "Parse Issue";

    private SyntaxCheck() {}

    /** The header clang includes before the user's text. */
    static String header() {
        var sb = new StringBuilder("/* jbcc: bcc's table macros as plain C, so that clang parses a program as written. */\n");
        sb.append("struct __jbcc_syntax_table {\n");
        for (String method : new TreeSet<>(PrePass.METHODS.keySet())) sb.append("    long (*").append(method).append(")();\n");
        sb.append("};\n");
        for (String macro : new TreeSet<>(PrePass.TABLE_MACROS)) {
            sb.append("#define ").append(macro).append(NAME_FOURTH.contains(macro)
                    ? "(kind, key, leaf, name, ...) struct __jbcc_syntax_table name\n"
                    : "(name, ...) struct __jbcc_syntax_table name\n");
        }
        sb.append("#define TRACEPOINT_PROBE(category, event) int tracepoint__##category##__##event(void *args)\n");
        return sb.toString();
    }

    /**
     * The parse errors in clang's {@code -fdiagnostics-show-category=name} output on the user's
     * file, each with its quoted lines and notes, the categories taken off, as clang prints them;
     * null if there are none, or if one names this header's
     * own names. Whatever is about other files (this header) is left out.
     */
    static String parseErrors(String diagnostics, String fileName) {
        var out = new ArrayList<String>();
        boolean keeping = false;
        int errors = 0;
        for (String line : diagnostics.lines().toList()) {
            Matcher h = HEADER.matcher(line);
            if (h.matches()) {
                boolean mine = h.group(1).equals(fileName);
                if (h.group(4).equals("note")) {
                    keeping &= mine; // a note belongs to the error above it
                } else {
                    keeping = mine && h.group(4).endsWith("error") && PARSE.equals(h.group(6));
                    if (keeping) errors++;
                }
                if (keeping) out.add(h.group(1) + ":" + h.group(2) + ":" + h.group(3) + ": " + h.group(4) + ": " + h.group(5));
                continue;
            }
            if (line.startsWith("In file included from ") || line.matches("\\d+ (warning|error)s? (and \\d+ errors? )?generated\\.")) {
                keeping = false;
                continue;
            }
            if (keeping) out.add(line);
        }
        if (errors == 0) return null;
        out.add(errors + " error" + (errors == 1 ? "" : "s") + " generated.");
        String result = String.join("\n", out) + "\n";
        // An error this header caused, not the user: the rewrite's diagnostics tell it better.
        return result.contains("__jbcc") || result.contains("__JBCC") ? null : result;
    }
}
