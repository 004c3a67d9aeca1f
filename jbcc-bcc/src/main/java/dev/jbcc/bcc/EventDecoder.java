package dev.jbcc.bcc;

import dev.jbcc.bcc.dialect.BccTable;

import java.lang.foreign.MemorySegment;

/**
 * bcc's {@code event(data)} for an output table: decodes a record as the struct the table's first
 * typed submission site passed, found on first use.
 */
final class EventDecoder {
    private final Table table;
    private volatile ValueType type;

    EventDecoder(Table table) {
        this.table = table;
    }

    /** The record as the submitted struct, copied. */
    Value decode(MemorySegment data) {
        ValueType t = type;
        if (t == null) type = t = submittedType();
        if (data.byteSize() < t.size()) {
            throw new IllegalArgumentException("a " + data.byteSize() + "-byte record of " + table.name() + " cannot hold "
                    + t.cName() + " (" + t.size() + " bytes)");
        }
        return Value.copyOf(t, data);
    }

    private ValueType submittedType() {
        var btf = table.bpf.program().spec().btf();
        for (BccTable.Submission s : table.declaration.submissions()) {
            if (s.typeId() != 0 && btf != null) return ValueType.of(btf, s.typeId(), 0);
        }
        String sites = table.declaration.submissions().isEmpty() ? "the program never submits to it"
                : "its submissions (lines " + table.declaration.submissions().stream().map(s -> String.valueOf(s.line())).toList()
                  + ") pass " + table.declaration.submissions().stream().map(s -> String.valueOf(s.typeName())).toList()
                  + ", no type declared at file scope";
        throw new IllegalStateException("cannot decode events of " + table.name() + ": " + sites
                + "; declare the struct at file scope and submit a pointer to it, or decode the bytes yourself");
    }
}
