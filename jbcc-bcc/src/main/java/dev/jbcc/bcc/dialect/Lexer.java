package dev.jbcc.bcc.dialect;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits C text into tokens for the textual pre-pass: enough of C's lexical grammar to find
 * identifiers, punctuation and literals while skipping comments, and to see {@code #include}
 * lines. It does not preprocess: macros are clang's business.
 */
final class Lexer {
    enum Kind { IDENT, NUMBER, STRING, CHAR, PUNCT }

    /**
     * @param start       offset of the first character
     * @param end         offset after the last character
     * @param inDirective whether the token is part of a preprocessor directive line
     */
    record Token(Kind kind, String text, int start, int end, boolean inDirective) {
        boolean is(String s) {
            return text.equals(s);
        }
    }

    /** An {@code #include} line: the name between the delimiters and whether it used angle brackets. */
    record Include(String name, boolean angled, int line) {}

    private final String text;
    private final List<Token> tokens = new ArrayList<>();
    private final List<Include> includes = new ArrayList<>();
    private int pos;

    private Lexer(String text) {
        this.text = text;
    }

    static Lexer lex(String text) {
        Lexer lexer = new Lexer(text);
        lexer.run();
        return lexer;
    }

    List<Token> tokens() {
        return tokens;
    }

    List<Include> includes() {
        return includes;
    }

    private void run() {
        boolean lineStart = true;
        int directiveEnd = -1;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                lineStart = true;
                pos++;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\u000b') {
                pos++;
                continue;
            }
            if (c == '\\' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n') {
                pos += 2; // a line continuation does not start a new logical line
                continue;
            }
            if (c == '/' && pos + 1 < text.length() && text.charAt(pos + 1) == '/') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    if (text.charAt(pos) == '\\' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n') pos++;
                    pos++;
                }
                continue;
            }
            if (c == '/' && pos + 1 < text.length() && text.charAt(pos + 1) == '*') {
                int close = text.indexOf("*/", pos + 2);
                pos = close < 0 ? text.length() : close + 2;
                continue;
            }
            if (c == '#' && lineStart) {
                directiveEnd = logicalLineEnd(pos);
                if (readInclude(directiveEnd)) {
                    pos = directiveEnd;
                    continue;
                }
            }
            lineStart = false;
            boolean inDirective = pos < directiveEnd;
            int start = pos;
            // Not Java's identifier start: '€' or '‿' start a Java identifier but are no identifier part here,
            // and a token that does not advance would repeat forever.
            if (isIdentPart(c) && !Character.isDigit(c)) {
                while (pos < text.length() && isIdentPart(text.charAt(pos))) pos++;
                // A prefixed literal: L"x", u8"x", u'x'.
                if (pos < text.length() && (text.charAt(pos) == '"' || text.charAt(pos) == '\'')
                        && text.substring(start, pos).matches("L|u|U|u8")) {
                    char q = text.charAt(pos);
                    skipQuoted(q);
                    add(q == '"' ? Kind.STRING : Kind.CHAR, start, inDirective);
                } else {
                    add(Kind.IDENT, start, inDirective);
                }
            } else if (Character.isDigit(c) || (c == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1)))) {
                pos++;
                while (pos < text.length()) {
                    char d = text.charAt(pos);
                    if ((d == '+' || d == '-') && "eEpP".indexOf(text.charAt(pos - 1)) >= 0) pos++;
                    else if (isIdentPart(d) || d == '.') pos++;
                    else break;
                }
                add(Kind.NUMBER, start, inDirective);
            } else if (c == '"' || c == '\'') {
                skipQuoted(c);
                add(c == '"' ? Kind.STRING : Kind.CHAR, start, inDirective);
            } else {
                pos += text.startsWith("->", pos) || text.startsWith("##", pos) ? 2 : 1;
                add(Kind.PUNCT, start, inDirective);
            }
        }
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private void skipQuoted(char quote) {
        pos++;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\\') {
                pos += 2;
            } else if (c == quote) {
                pos++;
                return;
            } else if (c == '\n') {
                return; // unterminated: clang will say so
            } else {
                pos++;
            }
        }
    }

    private void add(Kind kind, int start, boolean inDirective) {
        int end = Math.min(pos, text.length());
        tokens.add(new Token(kind, text.substring(start, end), start, end, inDirective));
    }

    /** The end of the logical line starting at {@code from} (backslash-newlines continue it). */
    private int logicalLineEnd(int from) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\n') {
                if (i > 0 && text.charAt(i - 1) == '\\') {
                    i++;
                    continue;
                }
                return i;
            }
            i++;
        }
        return i;
    }

    /** Records an {@code #include} directive; returns whether the line was one. */
    private boolean readInclude(int lineEnd) {
        String line = text.substring(pos, lineEnd);
        var m = java.util.regex.Pattern.compile("^#\\s*include(?:_next)?\\s*([<\"])([^>\"]+)[>\"]").matcher(line);
        if (!m.find()) return false;
        includes.add(new Include(m.group(2).strip(), m.group(1).equals("<"), lineOf(pos)));
        return true;
    }

    private int lineOf(int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) if (text.charAt(i) == '\n') line++;
        return line;
    }
}
