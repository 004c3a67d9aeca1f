package dev.jbcc.bcc.dialect;

import dev.jbcc.spec.MapType;

import java.util.List;

/**
 * A table a bcc program declared, as bcc's front-end knows it.
 *
 * @param name        the table (and map) name
 * @param macro       the declaring macro ("BPF_HASH", "BPF_TABLE", …)
 * @param kind        bcc's table kind ("hash", "array", "histogram", "perf_output", "ringbuf", …)
 * @param mapType     the kernel map type it was compiled to
 * @param keyType     the key's C type as declared ("u32", "struct key_t"), "" for keyless tables
 * @param leafType    the value's C type as declared, "" where the kernel defines it (ring buffer)
 * @param keyTypeId   the key type's id in the object's BTF, 0 if the map has no BTF key type
 * @param leafTypeId  the value type's id in the object's BTF, 0 if the map has no BTF value type
 * @param maxEntries  capacity as compiled (0 for a perf output: the loader uses one per CPU)
 * @param pinnedPath  the bpffs path of BPF_TABLE_PINNED, else null
 * @param line        the declaration's line in the user's source
 * @param submissions for perf and ring buffer outputs: what each call site submits
 */
public record BccTable(String name, String macro, String kind, MapType mapType, String keyType, String leafType,
                       int keyTypeId, int leafTypeId, int maxEntries, String pinnedPath, int line,
                       List<Submission> submissions) {

    public BccTable {
        submissions = List.copyOf(submissions);
    }

    /**
     * A {@code perf_submit}, {@code ringbuf_output} or {@code ringbuf_submit} call: bcc's
     * {@code event(data)} decodes records as the type submitted there.
     *
     * @param line     the call's line in the user's source
     * @param typeName the submitted type ("struct data_t"), or null if the call passes an untyped pointer
     * @param typeId   the type's id in the object's BTF, or 0 if the type cannot be named at file
     *                 scope (e.g. a struct declared inside the function)
     */
    public record Submission(int line, String typeName, int typeId) {}
}
