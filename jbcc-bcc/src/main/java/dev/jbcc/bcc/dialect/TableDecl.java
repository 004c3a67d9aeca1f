package dev.jbcc.bcc.dialect;

/**
 * A table as the program declares it with one of bcc's macros, defaults applied.
 *
 * @param name       the variable (and kernel map) name
 * @param macro      the macro used, e.g. "BPF_HASH"
 * @param kind       bcc's table kind, e.g. "hash", "histogram", "perf_output" (what bcc's Python
 *                   front-end chooses a table class by)
 * @param mapType    the kernel map type's enum name, e.g. "BPF_MAP_TYPE_HASH"
 * @param keyType    the key's C type, or "" for tables without keys (queue, stack, ring buffer)
 * @param leafType   the value's C type, or "" where the kernel defines it (perf output, ring buffer)
 * @param maxEntries the size as written in C (may be an expression), or "0" where the loader decides
 * @param flags      map flags as C text ("0" for none)
 * @param pinnedPath for BPF_TABLE_PINNED, the bpffs path; else null
 * @param innerMap   for array/hash of maps, the template inner table's name; else null
 * @param line       the line of the declaration
 */
record TableDecl(String name, String macro, String kind, String mapType, String keyType, String leafType,
                 String maxEntries, String flags, String pinnedPath, String innerMap, int line) {

    /** The BTF-defined map (libbpf's convention) this declaration stands for, on one line. */
    String definition() {
        var sb = new StringBuilder("struct { __uint(type, ").append(mapType).append(");");
        switch (kind) {
            case "perf_output", "perf_array", "prog", "devmap", "cpumap", "xskmap", "sockmap", "cgroup_array",
                 "array_of_maps", "hash_of_maps", "sockhash" -> {
                // fd and id arrays: the kernel fixes the value size, BTF value types are not allowed.
                sb.append(" __uint(key_size, sizeof(").append(keyType).append("));");
                sb.append(" __uint(value_size, sizeof(").append(leafType).append("));");
            }
            case "queue", "stack" -> sb.append(" __type(value, ").append(leafType).append(");");
            case "ringbuf" -> { }
            default -> {
                sb.append(" __type(key, ").append(keyType).append(");");
                sb.append(" __type(value, ").append(leafType).append(");");
            }
        }
        if (!maxEntries.equals("0")) sb.append(" __uint(max_entries, ").append(maxEntries).append(");");
        if (!flags.equals("0")) sb.append(" __uint(map_flags, ").append(flags).append(");");
        if (innerMap != null) sb.append(" __array(values, typeof(").append(innerMap).append("));");
        sb.append(" } ").append(name).append(" __attribute__((section(\".maps\"), used))");
        return sb.toString();
    }

    boolean isPerfOutput() {
        return kind.equals("perf_output");
    }

    boolean isRingBuffer() {
        return kind.equals("ringbuf");
    }
}
