package dev.jbcc.compile;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The source text a compile embeds in its debug info ({@code -gembed-source}), cut down to the
 * files that hold code. clang's BPF back end takes the C text of BTF line_info (what the
 * verifier's messages quote) from there, and line_info covers functions only: a header that only
 * declares types (vmlinux.h, megabytes, whether generated or the user's copy) keeps its line
 * numbers and loses its text.
 */
final class DebugSources {
    // One metadata node per line in textual IR. IR strings escape '"' and '\' as \22 and \5C, so
    // a quoted string is simply "[^"]*".
    private static final Pattern DI_FILE = Pattern.compile("(?m)^!(\\d+) = !DIFile\\((?:[^()\"\\n]|\"[^\"]*\")*\\)");
    private static final Pattern CODE_SCOPE = Pattern.compile("(?m)^!\\d+ = (?:distinct )?!DI(?:Subprogram|LexicalBlock|LexicalBlockFile)\\(.*$");
    private static final Pattern FILE_REF = Pattern.compile("\\bfile: !(\\d+)");
    private static final Pattern FILENAME = Pattern.compile("filename: \"([^\"]*)\"");
    private static final Pattern SOURCE = Pattern.compile(", source: \"[^\"]*\"");

    private DebugSources() {}

    /**
     * The IR with the embedded text of every file dropped except {@code mainFile} (the compiled
     * file, named relative to its directory) and files some function's code comes from.
     */
    static String keepOnly(String ir, String mainFile) {
        Set<String> code = new HashSet<>();
        for (Matcher scope = CODE_SCOPE.matcher(ir); scope.find(); ) {
            for (Matcher ref = FILE_REF.matcher(scope.group()); ref.find(); ) code.add(ref.group(1));
        }
        Matcher m = DI_FILE.matcher(ir);
        var out = new StringBuilder(Math.min(ir.length(), 1 << 20));
        while (m.find()) {
            String node = m.group();
            Matcher name = FILENAME.matcher(node);
            boolean keep = code.contains(m.group(1)) || name.find() && name.group(1).equals(mainFile);
            m.appendReplacement(out, Matcher.quoteReplacement(keep ? node : SOURCE.matcher(node).replaceFirst("")));
        }
        m.appendTail(out);
        return out.toString();
    }
}
