package dev.jbcc.bcc.dialect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Edits to a C text by offsets into the original, applied together. Every edit keeps the line
 * structure: a replaced range's line breaks are re-emitted after the replacement, and inserted text
 * must not contain any. So line N of the result is line N of the user's program, clang's
 * diagnostics and BTF line_info need no mapping, and only columns move.
 */
final class TextEdits {
    private record Edit(int start, int end, String text, int order, long seq) {}

    private final String original;
    private final List<Edit> edits = new ArrayList<>();
    private long seq;

    TextEdits(String original) {
        this.original = original;
    }

    String original() {
        return original;
    }

    boolean isEmpty() {
        return edits.isEmpty();
    }

    /**
     * Inserts text at an offset. Insertions at the same offset go in ascending {@code order}, then
     * in the order they were made.
     */
    void insert(int offset, String text, int order) {
        checkNoLineBreak(text);
        edits.add(new Edit(offset, offset, text, order, seq++));
    }

    void insert(int offset, String text) {
        insert(offset, text, 0);
    }

    /** Replaces {@code [start, end)}; the range's line breaks follow the replacement. */
    void replace(int start, int end, String text) {
        checkNoLineBreak(text);
        if (start > end || end > original.length()) throw new IllegalArgumentException("bad range " + start + ".." + end);
        edits.add(new Edit(start, end, text, 0, seq++));
    }

    private static void checkNoLineBreak(String text) {
        if (text.indexOf('\n') >= 0) throw new IllegalArgumentException("edit text must stay on one line: " + text);
    }

    private List<Edit> sorted() {
        var sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(Edit::start)
                .thenComparingInt(e -> e.end() > e.start() ? 1 : 0) // insertions before a replacement there
                .thenComparingInt(Edit::order).thenComparingLong(Edit::seq));
        return sorted;
    }

    /** The offset of the first edit that starts inside an earlier replacement, or -1 if none does. */
    int firstOverlap() {
        int at = 0;
        for (Edit e : sorted()) {
            if (e.start() < at) return e.start();
            at = e.end();
        }
        return -1;
    }

    /** The edited text. Overlapping replacements are a bug in the caller: check {@link #firstOverlap()}. */
    String apply() {
        var out = new StringBuilder(original.length() + 256);
        int at = 0;
        for (Edit e : sorted()) {
            if (e.start() < at) {
                throw new IllegalStateException("overlapping edits at offset " + e.start() + " (" + e.text() + ")");
            }
            out.append(original, at, e.start());
            out.append(e.text());
            if (e.end() > e.start()) appendLineBreaks(out, e.start(), e.end());
            at = e.end();
        }
        out.append(original, at, original.length());
        return out.toString();
    }

    /** The line breaks of the original range, keeping backslash continuations (inside #define). */
    private void appendLineBreaks(StringBuilder out, int start, int end) {
        for (int i = start; i < end; i++) {
            if (original.charAt(i) != '\n') continue;
            out.append(i > start && original.charAt(i - 1) == '\\' ? " \\\n" : "\n");
        }
    }
}
