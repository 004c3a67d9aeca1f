package dev.jbcc.bcc.dialect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * clang's diagnostics on the rewritten program, told in the user's terms: at the user's line
 * (the rewrite keeps lines), quoting the user's text with the caret on it, without the prelude's
 * macros ({@code note: expanded from macro '__JBCC_…'}, {@code In file included from …prelude.h})
 * and with jbcc's generated names turned back into what the user wrote. A user never sees a
 * jbcc-generated name or jbcc's headers.
 */
final class UserDiagnostics {
    private static final Pattern HEADER = Pattern.compile("^(.*?):(\\d+):(\\d+): (fatal error|error|warning|note|remark): (.*)$");
    private static final Pattern SNIPPET = Pattern.compile("^( *)(\\d+) \\| (.*)$");
    private static final Pattern CARET = Pattern.compile("^( *)\\| (.*)$");
    private static final Pattern INCLUDED = Pattern.compile("^In file included from (.*?):(\\d+):$");
    private static final Pattern GENERATED = Pattern.compile("__JBCC_([A-Z0-9_]*?)_*\\b");

    private UserDiagnostics() {}

    /**
     * @param diagnostics clang's output on the rewritten text, the file already named {@code fileName}
     * @param fileName    the user's file name as diagnostics show it
     * @param userText    what the user wrote
     * @param rewritten   the text clang compiled (same lines, rewritten within them)
     * @param jbccFiles   the directory of jbcc's own headers (the prelude, generated headers)
     */
    static String map(String diagnostics, String fileName, String userText, String rewritten, String jbccFiles) {
        String[] user = userText.split("\n", -1);
        String[] ours = rewritten.split("\n", -1);
        var out = new ArrayList<String>();
        List<String> lines = diagnostics.lines().toList();
        boolean dropping = false;   // inside a block about jbcc's own code
        int mapLine = -1;           // the user line the current block quotes
        int shiftFrom = -1, delta = 0;
        for (String line : lines) {
            Matcher h = HEADER.matcher(line);
            Matcher inc = INCLUDED.matcher(line);
            if (inc.matches()) {
                // "In file included from <prelude>": the user did not include it
                dropping = inc.group(1).startsWith(jbccFiles);
                if (!dropping) out.add(line);
                continue;
            }
            if (h.matches()) {
                int lineNo = Integer.parseInt(h.group(2));
                mapLine = -1;
                if (!h.group(1).equals(fileName) && !h.group(1).startsWith(jbccFiles)) {
                    dropping = false; // a header of the user's, or the system's: as clang says it
                    out.add(names(line));
                    continue;
                }
                dropping = !h.group(1).equals(fileName) || lineNo > user.length;
                if (h.group(4).equals("note") && (h.group(5).contains("__JBCC_") || dropping)) {
                    dropping = true;
                    continue;
                }
                if (dropping) {
                    // an error inside jbcc's code: keep the message, without a place the user cannot see
                    out.add(fileName + ": " + h.group(4) + ": " + names(h.group(5)));
                    continue;
                }
                int col = Integer.parseInt(h.group(3));
                String mine = user[lineNo - 1], theirs = lineNo - 1 < ours.length ? ours[lineNo - 1] : mine;
                mapLine = lineNo;
                int prefix = commonPrefix(mine, theirs);
                int suffix = Math.min(commonSuffix(mine, theirs), Math.min(mine.length(), theirs.length()) - prefix);
                shiftFrom = theirs.length() - suffix;
                delta = mine.length() - theirs.length();
                out.add(fileName + ":" + lineNo + ":" + mapColumn(col, prefix, shiftFrom, delta) + ": " + h.group(4) + ": "
                        + names(h.group(5)));
                continue;
            }
            if (dropping) continue;
            Matcher s = SNIPPET.matcher(line);
            if (s.matches() && Integer.parseInt(s.group(2)) == mapLine) {
                out.add(s.group(1) + s.group(2) + " | " + user[mapLine - 1]);
                continue;
            }
            Matcher c = CARET.matcher(line);
            if (c.matches() && mapLine > 0) {
                String marks = c.group(2);
                int at = 0;
                while (at < marks.length() && marks.charAt(at) == ' ') at++;
                if (at < marks.length()) {
                    int col = mapColumn(at + 1, commonPrefix(user[mapLine - 1], ours[mapLine - 1]), shiftFrom, delta);
                    String rest = marks.substring(at);
                    boolean fixIt = rest.charAt(0) != '^' && rest.charAt(0) != '~'; // clang's suggested text: kept
                    String shown = fixIt ? names(rest) : rest.replaceAll("[^\\^~ ].*", "").stripTrailing().substring(0, 1);
                    out.add(c.group(1) + "| " + " ".repeat(col - 1) + shown);
                    continue;
                }
            }
            out.add(names(line));
        }
        String result = String.join("\n", out);
        return diagnostics.endsWith("\n") ? result + "\n" : result;
    }

    /** A rewritten column on the user's line: the same before the rewrite, shifted after it, else the rewrite's start. */
    private static int mapColumn(int col, int prefix, int shiftFrom, int delta) {
        if (col - 1 <= prefix) return col;
        if (col - 1 >= shiftFrom) return col + delta;
        return prefix + 1;
    }

    /** {@code __JBCC_INCREMENT} → {@code increment}, {@code __JBCC_TRACE_PRINTK} → {@code bpf_trace_printk}. */
    static String names(String text) {
        Matcher m = GENERATED.matcher(text);
        var sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1).toLowerCase(java.util.Locale.ROOT);
            if (name.equals("trace_printk")) name = "bpf_trace_printk";
            else if (name.startsWith("usdt_readarg")) name = "bpf_" + name;
            m.appendReplacement(sb, Matcher.quoteReplacement(name));
        }
        return m.appendTail(sb).toString();
    }

    private static int commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) n++;
        return n;
    }

    private static int commonSuffix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(a.length() - 1 - n) == b.charAt(b.length() - 1 - n)) n++;
        return n;
    }
}
