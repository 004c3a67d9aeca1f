package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;
import dev.jbcc.spec.MapType;

/**
 * A table a bcc program declared ({@code BPF_HASH}, {@code BPF_ARRAY}, {@code BPF_PERF_OUTPUT},
 * ...), as {@link BPF#get} hands it out: one class per kind, chosen by the kernel map type as bcc
 * chooses its Python table classes. Keys and leaves are {@link Value}s decoded by the C types
 * the program declared; {@link #key(long)}, {@link #leaf(long)}, {@link #newKey()} and
 * {@link #newLeaf()} make new ones.
 *
 * <p>The classes follow bcc's {@code table.py}:
 * <pre>
 * Table
 * ├── KeyedTable          bcc's TableBase: get/put/delete, walks, batches, histograms
 * │   ├── ValueTable      one Value per key: HashTable (also LRU), ArrayTable, ProgArray, LpmTrie, StackTrace
 * │   └── PerCpuTable     one Value per possible CPU per key: PerCpuHash (also LRU), PerCpuArray
 * ├── QueueStack          BPF_QUEUE / BPF_STACK
 * ├── PerfEventArray      BPF_PERF_OUTPUT
 * └── RingBuf             BPF_RINGBUF_OUTPUT
 * </pre>
 *
 * <p>The table's map belongs to its {@link BPF} and is closed with it.
 */
public abstract sealed class Table permits KeyedTable, QueueStack, PerfEventArray, RingBuf {
    final BPF bpf;
    final BccTable declaration;
    final BpfMap map;
    final ValueType keyType;
    final ValueType leafType;

    Table(BPF bpf, BccTable declaration, BpfMap map) {
        this.bpf = bpf;
        this.declaration = declaration;
        this.map = map;
        var btf = bpf.program().spec().btf();
        this.keyType = ValueType.of(btf, declaration.keyTypeId(), map.keySize());
        this.leafType = ValueType.of(btf, declaration.leafTypeId(), map.valueSize());
    }

    /** Picks the table class for the map's type, as bcc's {@code Table()} factory does. */
    static Table of(BPF bpf, BccTable declaration, BpfMap map) {
        MapType type = map.type();
        return switch (type) {
            case HASH, LRU_HASH, HASH_OF_MAPS, SOCKHASH, DEVMAP_HASH -> new HashTable(bpf, declaration, map);
            case ARRAY, ARRAY_OF_MAPS, CGROUP_ARRAY, DEVMAP, CPUMAP, XSKMAP, SOCKMAP -> new ArrayTable(bpf, declaration, map);
            case PERCPU_HASH, LRU_PERCPU_HASH -> new PerCpuHash(bpf, declaration, map);
            case PERCPU_ARRAY -> new PerCpuArray(bpf, declaration, map);
            case LPM_TRIE -> new LpmTrie(bpf, declaration, map);
            case STACK_TRACE -> new StackTrace(bpf, declaration, map);
            case PROG_ARRAY -> new ProgArray(bpf, declaration, map);
            case QUEUE, STACK -> new QueueStack(bpf, declaration, map);
            case PERF_EVENT_ARRAY -> new PerfEventArray(bpf, declaration, map);
            case RINGBUF -> new RingBuf(bpf, declaration, map);
            default -> throw new IllegalArgumentException("table " + declaration.name() + " is a " + type
                    + " map, which jbcc's bcc API has no table class for; use map() for the BpfMap");
        };
    }

    /** The table's name in the program. */
    public String name() {
        return declaration.name();
    }

    /** The kernel map (owned by the {@link BPF}). */
    public BpfMap map() {
        return map;
    }

    /** The map's fd, as bcc's {@code get_fd()}. */
    public int fd() {
        return map.fd();
    }

    public int maxEntries() {
        return map.maxEntries();
    }

    /** The key's C type as declared ("u32", "struct key_t"). */
    public String keyTypeName() {
        return keyType.cName();
    }

    /** The leaf's C type as declared. */
    public String leafTypeName() {
        return leafType.cName();
    }

    /** A key holding integer {@code value}. */
    public Value key(long value) {
        return Value.ofLong(keyType, value);
    }

    /** A zeroed key, to fill in with {@link Value#with}. */
    public Value newKey() {
        return Value.zero(keyType);
    }

    /** A leaf holding integer {@code value}. */
    public Value leaf(long value) {
        return Value.ofLong(leafType, value);
    }

    /** A zeroed leaf, bcc's {@code table.Leaf()}. */
    public Value newLeaf() {
        return Value.zero(leafType);
    }

    void checkKey(Value key) {
        checkSize("key", key, keyType);
    }

    void checkLeaf(Value leaf) {
        checkSize("leaf", leaf, leafType);
    }

    private void checkSize(String what, Value v, ValueType type) {
        if (v.size() != type.size()) {
            throw new IllegalArgumentException(what + " " + v + " is " + v.size() + " bytes; table " + name() + " has "
                    + type.size() + "-byte " + what + "s (" + type.cName() + "): make it with key()/leaf() of this table");
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name() + ", " + map.type() + ", " + keyType.cName() + " -> "
                + leafType.cName() + "]";
    }
}
