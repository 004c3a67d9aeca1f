package dev.jbcc.bcc.dialect;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which lines of a program its preprocessor conditionals leave out, so the pre-pass sees a table
 * declared under {@code #ifdef} once, in the branch that is compiled. The conditions are
 * clang's to evaluate (the program's #defines, cflags' -D, the kernel's CONFIG_ options): a
 * branch is left out when none of its lines reach clang's preprocessed output.
 */
final class Conditionals {
    private static final Pattern DIRECTIVE = Pattern.compile("^\\s*#\\s*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\\b");
    private static final Pattern OPENING = Pattern.compile("(?m)^\\s*#\\s*(if|ifdef|ifndef)\\b");
    private static final Pattern LINE_MARKER = Pattern.compile("^#\\s+(\\d+)\\s+\"((?:[^\"\\\\]|\\\\.)*)\"");

    private Conditionals() {}

    /** Whether the text has conditionals at all (else there is nothing to evaluate). */
    static boolean present(String text) {
        return OPENING.matcher(text).find();
    }

    /**
     * The left-out lines (1-based) of {@code text}.
     *
     * @param preprocessed clang's {@code -E} output of the text
     * @param mainFile     the text's file name as clang was given it
     */
    static BitSet inactiveLines(String text, String preprocessed, String mainFile) {
        BitSet reached = reachedLines(preprocessed, mainFile);
        String[] lines = text.split("\n", -1);
        BitSet inactive = new BitSet();
        // Each open branch: its first body line, and whether any of its lines (nested ones too) was reached.
        var open = new ArrayDeque<int[]>(); // {firstLine, reached(0/1)}
        for (int i = 0; i < lines.length; i++) {
            int line = i + 1;
            Matcher m = DIRECTIVE.matcher(lines[i]);
            if (!m.find()) {
                if (!open.isEmpty() && reached.get(line)) for (int[] b : open) b[1] = 1;
                continue;
            }
            switch (m.group(1)) {
                case "if", "ifdef", "ifndef" -> open.push(new int[] {line + 1, 0});
                case "elif", "elifdef", "elifndef", "else" -> {
                    if (open.isEmpty()) continue;
                    int[] b = open.pop();
                    if (b[1] == 0) inactive.set(b[0], line);
                    open.push(new int[] {line + 1, 0});
                }
                default -> { // endif
                    if (open.isEmpty()) continue;
                    int[] b = open.pop();
                    if (b[1] == 0) inactive.set(b[0], line);
                }
            }
            // directive lines continued with a backslash stay directives
            while (lines[i].endsWith("\\") && i + 1 < lines.length) i++;
        }
        return inactive;
    }

    /** The main file's lines that have text in the preprocessed output. */
    private static BitSet reachedLines(String preprocessed, String mainFile) {
        BitSet reached = new BitSet();
        boolean inMain = false;
        int line = 0;
        for (String out : preprocessed.split("\n", -1)) {
            Matcher marker = LINE_MARKER.matcher(out);
            if (marker.find()) {
                inMain = marker.group(2).equals(mainFile);
                line = Integer.parseInt(marker.group(1));
                continue;
            }
            if (inMain && !out.isBlank()) reached.set(line);
            line++;
        }
        return reached;
    }
}
