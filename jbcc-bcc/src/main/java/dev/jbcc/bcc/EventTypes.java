package dev.jbcc.bcc;

import dev.jbcc.bcc.dialect.BccTable;

/** The struct an output table's records hold: what its first typed submission site passed. */
final class EventTypes {
    private EventTypes() {}

    static ValueType of(Table table) {
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
