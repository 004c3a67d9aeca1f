package dev.jbcc.tools;

import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;

/**
 * Counters that only grow, in a BPF array the tool's C increments (key i is counter i), read as
 * their growth per interval: nothing the C counts between a read and a reset is lost, as it would
 * be by clearing the table.
 */
public final class Counters {
    private final KeyedTable<Value> table;
    private final long[] last;

    /** Counters 0 to {@code size - 1} of {@code table}. */
    public Counters(KeyedTable<Value> table, int size) {
        this.table = table;
        this.last = new long[size];
    }

    /** Each counter's growth since the last call (the first call: since the program was loaded). */
    public long[] growth() {
        long[] d = new long[last.length];
        for (int i = 0; i < last.length; i++) {
            long total = table.get(i).value();
            d[i] = total - last[i];
            last[i] = total;
        }
        return d;
    }
}
