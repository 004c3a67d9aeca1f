package dev.jbcc.tools.files;

import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.LoadAverage;
import dev.jbcc.tools.Session;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * What the top-like file tools (filetop, dirtop) share: their {@code -s} orders over the read and
 * write counts of fd_file.h's {@code rw_counts}, the busiest rows of an interval, and the heading
 * each interval starts with.
 */
final class ReadWriteTop {
    /** The {@code -s} values, as a usage error lists them. */
    static final String SORTS = "all, reads, writes, rbytes, wbytes";

    private static final Map<String, ToLongFunction<Value>> BY = Map.of(
            "all", v -> v.getLong("reads") + v.getLong("writes") + v.getLong("rbytes") + v.getLong("wbytes"),
            "reads", v -> v.getLong("reads"), "writes", v -> v.getLong("writes"),
            "rbytes", v -> v.getLong("rbytes"), "wbytes", v -> v.getLong("wbytes"));

    private ReadWriteTop() {
    }

    /** The order {@code -s sort} names; null for a name that is none of {@link #SORTS}. */
    static ToLongFunction<Value> order(String sort) {
        return BY.get(sort);
    }

    /** {@code counts}' entries, the largest by {@code order} first, at most {@code max}; then {@code counts} is cleared. */
    static List<Map.Entry<Value, Value>> busiest(KeyedTable<Value> counts, ToLongFunction<Value> order, int max) {
        List<Map.Entry<Value, Value>> rows = counts.items().stream()
                .sorted(Comparator.comparingLong((Map.Entry<Value, Value> e) -> order.applyAsLong(e.getValue())).reversed())
                .limit(max).toList();
        counts.clear();
        return rows;
    }

    /** The screen cleared (or a blank line with {@code -C}), the time and load averages, and the header; nothing under --json. */
    static void heading(Session s, boolean noclear, Columns columns) {
        if (s.json()) return;
        s.out().print(noclear ? "\n" : "\033[H\033[2J");
        s.out().printf("%-8s loadavg: %s%n%n", Session.clock(), LoadAverage.text());
        s.out().println(columns.header());
    }
}
