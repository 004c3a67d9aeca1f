package dev.jbcc.tools.files;

import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;

/**
 * The header of bcc's per-interval rate tools (vfsstat, dcstat): {@code TIME} and a gap as wide as
 * the rows' {@code HH:MM:SS:}, then each name right-aligned in 8 columns. Not under --json.
 */
final class StatHeader {
    private StatHeader() {
    }

    /** Prints the header of {@code columns} (TIME first), then marks the tool ready. */
    static void print(Session s, Columns columns) {
        if (!s.json()) {
            s.out().printf("%-8s  ", columns.names().getFirst());
            columns.names().stream().skip(1).forEach(n -> s.out().printf(" %8s", n));
            s.out().println();
        }
        s.ready();
    }
}
