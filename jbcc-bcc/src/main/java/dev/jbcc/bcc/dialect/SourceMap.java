package dev.jbcc.bcc.dialect;

/**
 * From lines of the rewritten program to lines of the user's. The rewrite keeps every user line on
 * its own line number, so the map is the identity on the user's lines; lines jbcc appended after
 * them (default license, type carriers) have no user line.
 *
 * @param userLines how many lines the user's source has
 */
public record SourceMap(int userLines) {

    /** The user's line for a rewritten line, or 0 for a line jbcc added. */
    public int userLine(int rewrittenLine) {
        return rewrittenLine >= 1 && rewrittenLine <= userLines ? rewrittenLine : 0;
    }

    static SourceMap of(String userText) {
        int lines = userText.isEmpty() ? 0 : (int) userText.chars().filter(c -> c == '\n').count()
                + (userText.endsWith("\n") ? 0 : 1);
        return new SourceMap(lines);
    }
}
