package dev.jbcc.bcc;

import java.lang.foreign.MemorySegment;

/** Leaf coding shared by the tables whose leaf is one {@link Value}. */
final class ValueTable {
    private ValueTable() {}

    static Value decode(ValueType leafType, MemorySegment buffer) {
        return Value.copyOf(leafType, buffer);
    }

    static void encode(Table table, Value leaf, MemorySegment buffer) {
        table.checkLeaf(leaf);
        MemorySegment.copy(leaf.segment(), 0, buffer, 0, leaf.size());
    }

    static long count(Value leaf) {
        return leaf.value();
    }
}
