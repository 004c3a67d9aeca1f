package dev.jbcc.bcc.dialect;

import dev.jbcc.errors.CompileException;

/** Errors about the user's program, worded like clang's: file:line (and column), the message, the line itself. */
final class Diagnostic {
    private Diagnostic() {}

    static CompileException error(String sourceName, String userText, int line, String message) {
        String shown = sourceName + ":" + line + ": error: " + message;
        String lineText = lineText(userText, line);
        if (lineText != null) shown += "\n" + String.format("%5d | %s", line, lineText);
        return new CompileException(shown, shown);
    }

    /** As {@link #error(String, String, int, String)}, at the column of {@code offset} too, with clang's caret under it. */
    static CompileException errorAt(String sourceName, String userText, int offset, String message) {
        int line = lineOf(userText, offset);
        int column = offset - (userText.lastIndexOf('\n', offset - 1) + 1) + 1;
        String lineText = lineText(userText, line);
        String shown = sourceName + ":" + line + ":" + column + ": error: " + message
                + "\n" + String.format("%5d | %s", line, lineText) + "\n      | " + " ".repeat(column - 1) + "^";
        return new CompileException(shown, shown);
    }

    /** Line {@code line} (1-based) of {@code text}, without its line break; null if there is none. */
    static String lineText(String text, int line) {
        int start = 0;
        for (int i = 1; i < line; i++) {
            start = text.indexOf('\n', start);
            if (start < 0) return null;
            start++;
        }
        int end = text.indexOf('\n', start);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    /** The 1-based line of an offset. */
    static int lineOf(String text, int offset) {
        int line = 1;
        int limit = Math.min(offset, text.length());
        for (int i = 0; i < limit; i++) if (text.charAt(i) == '\n') line++;
        return line;
    }
}
