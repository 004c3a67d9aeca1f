package dev.jbcc.btf;

import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.UnsupportedFeatureException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable set of BTF types: the kernel's ({@link #kernel()}), a kernel module's (split BTF
 * over the kernel's, {@link #kernelModule}) or an object file's ({@code .BTF} section bytes, {@link
 * #parse(byte[])}).
 *
 * <p>Types are addressed by id: {@code 0} is {@link BtfType.Void}, valid ids are {@code 0 ..
 * typeCount() - 1}. Split BTF continues the ids of its base, and every query on it (types, names,
 * strings) sees the base too.
 *
 * <p>Parsing keeps the raw bytes and an offset per type; a type's record is built on the first
 * {@link #type(int)} call and then cached, and names are decoded only when asked for. This keeps
 * parsing the kernel's ~150k types fast and its footprint close to the file size. Instances are
 * safe to share between threads.
 */
public final class Btf {
    /** {@code BTF_MAGIC}; read in the blob's byte order, it tells which order that is. */
    static final int MAGIC = 0xEB9F;
    static final int VERSION = 1;
    /** Size of {@code struct btf_header} in version 1. */
    static final int HEADER_SIZE = 24;
    /** Size of {@code struct btf_type}: name_off, info, size/type. */
    static final int TYPE_SIZE = 12;
    /** Resolve chains longer than this are cycles (libbpf uses the same bound). */
    private static final int MAX_RESOLVE_DEPTH = 32;
    /** BTF describes 64-bit targets (BPF and the kernel it runs on): pointers are 8 bytes. */
    public static final int POINTER_SIZE = 8;


    private static final Path KERNEL_BTF_DIR = Path.of("/sys/kernel/btf");

    private final Btf base;
    /** The blob (header, types, strings); never written. See {@link Bytes} for why an array. */
    private final byte[] data;
    private final ByteOrder order;
    private final boolean bigEndian;
    /** Id of this blob's first type: 1, or the base's type count for split BTF. */
    private final int firstId;
    /** Absolute offset in {@link #data} of each of this blob's types, indexed by id - firstId. */
    private final int[] typeOffsets;
    private final int stringsStart;
    private final int stringsLength;
    /** First string offset that is this blob's: 0, or the base's string length for split BTF. */
    private final int firstStringOffset;

    /** Lazily materialised records, indexed by id - firstId. Benign races: records are immutable. */
    private final BtfType[] cache;
    private volatile NameIndex names;

    private Btf(Btf base, byte[] data, ByteOrder order, int[] typeOffsets, int stringsStart, int stringsLength) {
        this.base = base;
        this.data = data;
        this.order = order;
        this.bigEndian = order == ByteOrder.BIG_ENDIAN;
        this.firstId = base == null ? 1 : base.typeCount();
        this.typeOffsets = typeOffsets;
        this.stringsStart = stringsStart;
        this.stringsLength = stringsLength;
        this.firstStringOffset = base == null ? 0 : base.stringsLength();
        this.cache = new BtfType[typeOffsets.length];
    }

    // ---------------------------------------------------------------------------------------------
    // Sources

    /**
     * The running kernel's BTF, {@code /sys/kernel/btf/vmlinux}; parsed once per process.
     *
     * @throws UnsupportedFeatureException if the kernel was built without {@code CONFIG_DEBUG_INFO_BTF}
     */
    public static Btf kernel() {
        return KernelHolder.get();
    }

    /** Holds the kernel's BTF once it parsed; a failure is not cached, so the next call retries. */
    private static final class KernelHolder {
        private static volatile Btf vmlinux;
        private static final Map<String, Btf> MODULES = new ConcurrentHashMap<>();

        static Btf get() {
            Btf b = vmlinux;
            if (b == null) {
                synchronized (KernelHolder.class) {
                    b = vmlinux;
                    if (b == null) {
                        b = parse(readKernelFile("vmlinux", "kernel BTF (CONFIG_DEBUG_INFO_BTF)", "5.4",
                                "use a kernel built with CONFIG_DEBUG_INFO_BTF=y"), null, "/sys/kernel/btf/vmlinux");
                        vmlinux = b;
                    }
                }
            }
            return b;
        }
    }

    /**
     * The BTF of every loaded kernel module that has one ({@code /sys/kernel/btf/*} but vmlinux), in
     * name order; empty where the kernel has no module BTF. Each is parsed once per process.
     */
    public static List<Btf> kernelModules() {
        List<String> names = kernelModuleNames();
        List<Btf> modules = new ArrayList<>(names.size());
        for (String name : names) {
            try {
                modules.add(kernelModule(name));
            } catch (UnsupportedFeatureException unloadedMeanwhile) {
                // the module went away between the listing and the read: it has nothing to offer
            }
        }
        return List.copyOf(modules);
    }

    /** The names of the loaded kernel modules that have BTF ({@code /sys/kernel/btf/*} but vmlinux), sorted. */
    public static List<String> kernelModuleNames() {
        List<String> names = new ArrayList<>();
        try (var dir = Files.newDirectoryStream(KERNEL_BTF_DIR)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (!name.equals("vmlinux")) names.add(name);
            }
        } catch (IOException e) {
            return List.of();
        }
        names.sort(null);
        return List.copyOf(names);
    }

    /**
     * The BTF of a loaded kernel module, {@code /sys/kernel/btf/<name>}: split BTF whose ids and
     * strings continue those of {@link #kernel()}. Parsed once per process and module name.
     *
     * @throws UnsupportedFeatureException if there is no BTF for the module (not loaded, or no
     *                                     {@code CONFIG_DEBUG_INFO_BTF_MODULES})
     */
    public static Btf kernelModule(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/") || name.equals("vmlinux") || name.startsWith(".")) {
            throw new IllegalArgumentException("not a kernel module name: \"" + name + "\"");
        }
        Btf cached = KernelHolder.MODULES.get(name);
        if (cached != null) {
            return cached;
        }
        Btf vmlinux = kernel();
        byte[] bytes = readKernelFile(name, "BTF of kernel module " + name + " (CONFIG_DEBUG_INFO_BTF_MODULES)",
                "5.11", "load the module first (modprobe " + name + ") and check /sys/kernel/btf");
        Btf parsed = parse(bytes, vmlinux, "/sys/kernel/btf/" + name);
        Btf raced = KernelHolder.MODULES.putIfAbsent(name, parsed);
        return raced != null ? raced : parsed;
    }

    private static byte[] readKernelFile(String file, String feature, String minKernel, String hint) {
        Path path = KERNEL_BTF_DIR.resolve(file);
        // One read into an array of the file's size: twice as fast as Files.readAllBytes on sysfs.
        try (RandomAccessFile in = new RandomAccessFile(path.toFile(), "r")) {
            long size = in.length();
            if (size > Integer.MAX_VALUE - 8) {
                throw new FormatException(path + " is " + size + " bytes, too large for BTF");
            }
            byte[] bytes = new byte[(int) size];
            int n = 0;
            while (n < bytes.length) {
                int r = in.read(bytes, n, bytes.length - n);
                if (r < 0) {
                    throw new FormatException(path + " ended after " + n + " of " + size + " bytes");
                }
                n += r;
            }
            if (in.read() >= 0) {
                // sysfs reported a smaller size than it has: fall back to reading to the end.
                return Files.readAllBytes(path);
            }
            return bytes;
        } catch (java.io.FileNotFoundException e) {
            if (!Files.exists(path)) {
                throw new UnsupportedFeatureException(feature, minKernel, path + " does not exist; " + hint);
            }
            throw new FormatException("cannot read " + path + ": " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new UnsupportedFeatureException(feature, minKernel, path + " does not exist; " + hint);
        } catch (IOException e) {
            throw new FormatException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses raw BTF (a {@code .BTF} section or a kernel BTF file); the byte order comes from the
     * magic. The array is kept, not copied: do not modify it afterwards.
     */
    public static Btf parse(byte[] bytes) {
        return parse(bytes, null, "BTF");
    }

    /** Parses split BTF (a module's) whose ids and string offsets continue {@code base}'s; keeps the array. */
    public static Btf parse(byte[] bytes, Btf base) {
        Objects.requireNonNull(base, "base");
        return parse(bytes, base, "split BTF");
    }

    /** Parses raw BTF held in a segment (e.g. a mapped ELF section); the bytes are copied. */
    public static Btf parse(MemorySegment segment) {
        return BtfParser.parse(segment.toArray(ValueLayout.JAVA_BYTE), null, "BTF");
    }

    /** Parses split BTF held in a segment over {@code base}; the bytes are copied. */
    public static Btf parse(MemorySegment segment, Btf base) {
        Objects.requireNonNull(base, "base");
        return BtfParser.parse(segment.toArray(ValueLayout.JAVA_BYTE), base, "split BTF");
    }

    /** The array is kept, not copied: public entry points document that the caller hands it over. */
    private static Btf parse(byte[] bytes, Btf base, String what) {
        return BtfParser.parse(bytes, base, what);
    }

    /** Called by the parser once the blob is checked. */
    static Btf create(Btf base, byte[] data, ByteOrder order, int[] typeOffsets, int stringsStart,
                      int stringsLength) {
        return new Btf(base, data, order, typeOffsets, stringsStart, stringsLength);
    }

    /**
     * Builds BTF from records: {@code types.get(0)} gets id 1 and so on ({@link BtfType.Void} is
     * implicit, do not include it). The result is encoded and parsed back, so it is checked like
     * any parsed BTF.
     */
    public static Btf of(List<? extends BtfType> types) {
        return parse(BtfEncoder.encode(null, types, ByteOrder.nativeOrder()), null, "built BTF");
    }

    /** Builds split BTF over {@code base} from records; the first gets id {@code base.typeCount()}. */
    public static Btf of(Btf base, List<? extends BtfType> types) {
        Objects.requireNonNull(base, "base");
        return parse(BtfEncoder.encode(base, types, ByteOrder.nativeOrder()), base, "built split BTF");
    }

    // ---------------------------------------------------------------------------------------------
    // Types

    /** The base BTF of split BTF, else null. */
    public Btf base() {
        return base;
    }

    /** The byte order the BTF was encoded in. */
    public ByteOrder order() {
        return order;
    }

    /** Number of type ids, including void (id 0) and, for split BTF, the base's types. */
    public int typeCount() {
        return firstId + typeOffsets.length;
    }

    /** The first id that belongs to this BTF rather than its base: 1, or the base's type count. */
    public int firstTypeId() {
        return firstId;
    }

    /** The type with id {@code id}. */
    public BtfType type(int id) {
        int local = id - firstId;
        if (local >= 0 && local < cache.length) {
            BtfType t = cache[local];
            if (t == null) {
                t = decode(typeOffsets[local]);
                cache[local] = t;
            }
            return t;
        }
        if (id == 0) {
            return BtfType.Void.INSTANCE;
        }
        if (base != null && id > 0 && id < firstId) {
            return base.type(id);
        }
        throw badId(id);
    }

    /** The type with id {@code id}, which must be a {@code kind}. */
    public <T extends BtfType> T type(int id, Class<T> kind) {
        BtfType t = type(id);
        if (!kind.isInstance(t)) {
            throw new IllegalArgumentException("type id " + id + " is " + describe(id) + ", not a "
                    + BtfKind.of(kind));
        }
        return kind.cast(t);
    }

    /** All types by id, void first; a view that materialises records as they are read. */
    public List<BtfType> types() {
        return new AbstractList<>() {
            @Override
            public BtfType get(int index) {
                Objects.checkIndex(index, typeCount());
                return type(index);
            }

            @Override
            public int size() {
                return typeCount();
            }
        };
    }

    /** This BTF's own types (for split BTF, without the base's), in id order from {@link #firstTypeId()}. */
    public List<BtfType> ownTypes() {
        return new AbstractList<>() {
            @Override
            public BtfType get(int index) {
                Objects.checkIndex(index, typeOffsets.length);
                return type(firstId + index);
            }

            @Override
            public int size() {
                return typeOffsets.length;
            }
        };
    }

    /** The kind of type {@code id}, without building its record. */
    public BtfKind kind(int id) {
        int local = id - firstId;
        if (local >= 0 && local < typeOffsets.length) {
            return BtfKind.of((u32(typeOffsets[local] + 4) >>> 24) & 0x1f);
        }
        if (id == 0) {
            return BtfKind.VOID;
        }
        if (base != null && id > 0 && id < firstId) {
            return base.kind(id);
        }
        throw badId(id);
    }

    /** The name of type {@code id}, {@code ""} if anonymous; does not build the record. */
    public String name(int id) {
        int local = id - firstId;
        if (local >= 0 && local < typeOffsets.length) {
            return string(u32(typeOffsets[local]));
        }
        if (id == 0) {
            return "";
        }
        if (base != null && id > 0 && id < firstId) {
            return base.name(id);
        }
        throw badId(id);
    }

    private IllegalArgumentException badId(int id) {
        return new IllegalArgumentException("type id " + id + " is out of range: this BTF has ids 0.."
                + (typeCount() - 1));
    }

    // ---------------------------------------------------------------------------------------------
    // Lookup

    /** Ids of all types named {@code name}, ascending (base types first); empty if none. */
    public int[] lookup(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            return new int[0];
        }
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        int[] own = nameIndex().find(key);
        if (base == null) {
            return own;
        }
        int[] inBase = base.lookup(name);
        if (inBase.length == 0) {
            return own;
        }
        int[] all = Arrays.copyOf(inBase, inBase.length + own.length);
        System.arraycopy(own, 0, all, inBase.length, own.length);
        return all;
    }

    /** Ids of the types named {@code name} that are of record class {@code kind}, ascending. */
    public int[] lookup(String name, Class<? extends BtfType> kind) {
        int[] ids = lookup(name);
        int n = 0;
        for (int id : ids) {
            if (kind.isAssignableFrom(kind(id).recordClass())) {
                ids[n++] = id;
            }
        }
        return n == ids.length ? ids : Arrays.copyOf(ids, n);
    }

    /** The first (lowest) id of a {@code kind} named {@code name}. */
    public OptionalInt lookupFirst(String name, Class<? extends BtfType> kind) {
        int[] ids = lookup(name, kind);
        return ids.length == 0 ? OptionalInt.empty() : OptionalInt.of(ids[0]);
    }

    /** The first type of {@code kind} named {@code name}, as its record. */
    public <T extends BtfType> Optional<T> find(String name, Class<T> kind) {
        OptionalInt id = lookupFirst(name, kind);
        return id.isPresent() ? Optional.of(kind.cast(type(id.getAsInt()))) : Optional.empty();
    }

    /** The function named {@code name} (a program or subprogram in object BTF, a kernel function in vmlinux). */
    public Optional<BtfType.Func> func(String name) {
        return find(name, BtfType.Func.class);
    }

    /** The DataSec describing ELF section {@code sectionName} (e.g. {@code ".data"}, {@code ".maps"}). */
    public Optional<BtfType.DataSec> dataSec(String sectionName) {
        return find(sectionName, BtfType.DataSec.class);
    }

    private NameIndex nameIndex() {
        NameIndex n = names;
        if (n == null) {
            synchronized (this) {
                n = names;
                if (n == null) {
                    n = new NameIndex();
                    names = n;
                }
            }
        }
        return n;
    }

    /**
     * Open-addressing hash table from name bytes to ids, built over the raw string table so that
     * no name is decoded into a String: the kernel has ~100k named types and a lookup needs one.
     */
    private final class NameIndex {
        /** id + 1 of a named type, 0 for an empty slot. */
        private final int[] slots;
        private final int[] hashes;
        private final int mask;

        NameIndex() {
            int named = 0;
            for (int off : typeOffsets) {
                if (ownNameOffset(off) >= 0) {
                    named++;
                }
            }
            int capacity = Integer.highestOneBit(Math.max(named, 8) * 2 - 1) << 1;
            slots = new int[capacity];
            hashes = new int[capacity];
            mask = capacity - 1;
            for (int local = 0; local < typeOffsets.length; local++) {
                int at = ownNameOffset(typeOffsets[local]);
                if (at < 0) {
                    continue;
                }
                int h = hashAt(at);
                int slot = h & mask;
                while (slots[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                slots[slot] = firstId + local + 1;
                hashes[slot] = h;
            }
        }

        /** Absolute offset of the type's name in {@code data}, or -1 if anonymous or in the base. */
        private int ownNameOffset(int typeOffset) {
            int nameOff = u32(typeOffset);
            if (nameOff == 0 || nameOff < firstStringOffset) {
                return -1;
            }
            int at = stringsStart + (nameOff - firstStringOffset);
            return data[at] == 0 ? -1 : at;
        }

        private int hashAt(int at) {
            int h = 0;
            for (byte b; (b = data[at]) != 0; at++) {
                h = 31 * h + b;
            }
            return mix(h);
        }

        int[] find(byte[] key) {
            int h = 0;
            for (byte b : key) {
                h = 31 * h + b;
            }
            h = mix(h);
            int[] found = null;
            int count = 0;
            for (int slot = h & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
                if (hashes[slot] == h && nameEquals(slots[slot] - 1, key)) {
                    if (found == null) {
                        found = new int[4];
                    } else if (count == found.length) {
                        found = Arrays.copyOf(found, count * 2);
                    }
                    found[count++] = slots[slot] - 1;
                }
            }
            if (found == null) {
                return new int[0];
            }
            int[] ids = Arrays.copyOf(found, count);
            Arrays.sort(ids); // probing order is not id order
            return ids;
        }

        private boolean nameEquals(int id, byte[] key) {
            int at = ownNameOffset(typeOffsets[id - firstId]);
            for (byte b : key) {
                if (data[at++] != b) {
                    return false;
                }
            }
            return data[at] == 0;
        }

        private static int mix(int h) {
            return h ^ (h >>> 16);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers over ids

    /** Follows typedefs, qualifiers (const, volatile, restrict) and type tags to the underlying type's id. */
    public int resolve(int id) {
        int current = id;
        for (int depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
            switch (kind(current)) {
                case TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG -> current = refType(current);
                default -> {
                    return current;
                }
            }
        }
        throw new FormatException("BTF: type id " + id + " does not resolve within " + MAX_RESOLVE_DEPTH
                + " typedef/qualifier steps (a reference cycle?)");
    }

    /** The type a typedef/qualifier/pointer/tag refers to, read without building the record. */
    private int refType(int id) {
        int local = id - firstId;
        if (local >= 0) {
            return u32(typeOffsets[local] + 8);
        }
        return base.refType(id);
    }

    /**
     * Size in bytes of a value of type {@code id}, following typedefs and qualifiers; arrays are
     * element size times length, pointers {@value #POINTER_SIZE}.
     *
     * @throws IllegalArgumentException for types without a size (void, functions, forward declarations)
     */
    public long sizeOf(int id) {
        long multiplier = 1;
        int current = id;
        for (int depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
            BtfType t = type(current);
            switch (t) {
                case BtfType.Int i -> { return multiplier * i.size(); }
                case BtfType.Float f -> { return multiplier * f.size(); }
                case BtfType.Composite c -> { return multiplier * c.size(); }
                case BtfType.Enumeration e -> { return multiplier * e.size(); }
                case BtfType.DataSec d -> { return multiplier * d.size(); }
                case BtfType.Ptr p -> { return multiplier * POINTER_SIZE; }
                case BtfType.Array a -> {
                    multiplier *= Integer.toUnsignedLong(a.length());
                    current = a.type();
                }
                case BtfType.Reference r -> current = r.type();
                case BtfType.Var v -> current = v.type();
                default -> throw new IllegalArgumentException("type id " + id + " (" + describe(id)
                        + ") has no size: it resolves to " + describe(current));
            }
        }
        throw new FormatException("BTF: size of type id " + id + " does not resolve within "
                + MAX_RESOLVE_DEPTH + " steps (a reference cycle?)");
    }

    /**
     * Alignment in bytes that a C compiler gives type {@code id} on a 64-bit target. A struct or
     * union whose members do not sit at their natural alignment, or whose size is not a multiple
     * of it, is packed: alignment 1.
     *
     * @throws IllegalArgumentException for types without a size
     */
    public int alignOf(int id) {
        return alignOf(id, 0);
    }

    private int alignOf(int id, int depth) {
        if (depth > MAX_RESOLVE_DEPTH) {
            throw new FormatException("BTF: alignment of type id " + id + " does not resolve within "
                    + MAX_RESOLVE_DEPTH + " steps (a reference cycle?)");
        }
        BtfType t = type(id);
        return switch (t) {
            case BtfType.Int i -> Math.max(1, Math.min(i.size(), POINTER_SIZE));
            case BtfType.Float f -> Math.max(1, Math.min(f.size(), 16));
            case BtfType.Enumeration e -> Math.max(1, Math.min(e.size(), POINTER_SIZE));
            case BtfType.Ptr p -> POINTER_SIZE;
            case BtfType.Array a -> alignOf(a.type(), depth + 1);
            case BtfType.Reference r -> alignOf(r.type(), depth + 1);
            case BtfType.Var v -> alignOf(v.type(), depth + 1);
            case BtfType.Composite c -> {
                int max = 1;
                for (BtfType.Member m : c.members()) {
                    int a = alignOf(m.type(), depth + 1);
                    if (m.bitfieldSize() == 0 && m.bitOffset() % (a * 8) != 0) {
                        yield 1; // a member off its natural alignment: the record is packed
                    }
                    max = Math.max(max, a);
                }
                yield c.size() % max == 0 ? max : 1;
            }
            default -> throw new IllegalArgumentException("type id " + id + " (" + describe(id)
                    + ") has no alignment");
        };
    }

    /** A short human description of type {@code id} for messages: kind and name. */
    public String describe(int id) {
        BtfKind k = kind(id);
        String n = name(id);
        return n.isEmpty() ? k.name() + " (anonymous)" : k.name() + " " + n;
    }

    // ---------------------------------------------------------------------------------------------
    // Strings

    /** Bytes of encoded BTF this holds, the base's included: what output derived from it is measured against. */
    long encodedSize() {
        return data.length + (base == null ? 0 : base.encodedSize());
    }

    /** Length in bytes of the string table, including the base's for split BTF. */
    public int stringsLength() {
        return firstStringOffset + stringsLength;
    }

    /**
     * The NUL-terminated string at {@code offset} in the string table (offsets at or past the base's
     * string length are this split BTF's own).
     */
    public String string(int offset) {
        if (offset < firstStringOffset) {
            return base.string(offset);
        }
        int local = offset - firstStringOffset;
        if (local < 0 || local >= stringsLength) {
            throw new IllegalArgumentException("string offset " + offset + " is out of range: the string table has "
                    + stringsLength() + " bytes");
        }
        if (local == 0 && base == null) {
            return "";
        }
        int start = stringsStart + local;
        int end = start;
        while (data[end] != 0) {
            end++;
        }
        return new String(data, start, end - start, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------
    // Copies and output

    /**
     * Encodes this BTF (for split BTF: only its own types and strings) as a blob that the kernel's
     * {@code BPF_BTF_LOAD} accepts, in this BTF's byte order. Strings are deduplicated.
     */
    public byte[] marshal() {
        return BtfEncoder.encode(base, ownTypes(), order);
    }

    /**
     * A blob for {@code BPF_BTF_LOAD} together with the offsets, in its string section, of strings
     * that no type uses (the file names and source lines that line_info records point at).
     */
    public record Marshalled(byte[] blob, Map<String, Integer> stringOffsets) {}

    /** Like {@link #marshal()}, with {@code extraStrings} added to the string section. */
    public Marshalled marshal(java.util.Collection<String> extraStrings) {
        var offsets = new java.util.HashMap<String, Integer>();
        byte[] blob = BtfEncoder.encode(base, ownTypes(), order, extraStrings, offsets);
        return new Marshalled(blob, Map.copyOf(offsets));
    }

    /** Like {@link #marshal()} in the given byte order. */
    public byte[] marshal(ByteOrder byteOrder) {
        return BtfEncoder.encode(base, ownTypes(), byteOrder);
    }

    /**
     * A copy with this BTF's own types replaced by {@code types} (same ids: the list must have one
     * entry per own type, {@code types.get(0)} is id {@link #firstTypeId()}).
     */
    public Btf withTypes(List<? extends BtfType> types) {
        if (types.size() != typeOffsets.length) {
            throw new IllegalArgumentException("withTypes needs " + typeOffsets.length + " types, got "
                    + types.size());
        }
        return base == null ? of(types) : of(base, types);
    }

    /**
     * A copy in which the DataSec named {@code sectionName} has size {@code size} and each of its
     * variables the offset {@code varOffsets} gives for the variable's name. The loader calls this
     * with the ELF section size and symbol values, which compilers leave out of object BTF.
     *
     * @throws IllegalArgumentException if there is no such DataSec or an offset is missing
     */
    public Btf withDataSec(String sectionName, int size, Map<String, Integer> varOffsets) {
        int[] ids = lookup(sectionName, BtfType.DataSec.class);
        if (ids.length == 0 || ids[0] < firstId) {
            throw new IllegalArgumentException("no DataSec named " + sectionName + " in this BTF");
        }
        int dsId = ids[0];
        BtfType.DataSec ds = (BtfType.DataSec) type(dsId);
        List<BtfType.VarSecInfo> vars = new ArrayList<>(ds.vars().size());
        for (BtfType.VarSecInfo v : ds.vars()) {
            String varName = name(v.type());
            Integer offset = varOffsets.get(varName);
            if (offset == null) {
                throw new IllegalArgumentException("no offset given for variable " + varName + " in section "
                        + sectionName);
            }
            vars.add(new BtfType.VarSecInfo(v.type(), offset, v.size()));
        }
        List<BtfType> types = new ArrayList<>(ownTypes());
        types.set(dsId - firstId, new BtfType.DataSec(ds.name(), size, vars));
        return withTypes(types);
    }

    /**
     * A copy that a kernel without some BTF kinds accepts, replacing them the way libbpf does.
     * Ids stay the same, so references from programs (func_info, CO-RE) remain valid.
     */
    public Btf sanitized(BtfSanitizer.Features kernelHas) {
        return BtfSanitizer.sanitize(this, kernelHas);
    }

    // ---------------------------------------------------------------------------------------------
    // Decoding

    private int u32(long offset) {
        return Bytes.u32(data, (int) offset, bigEndian);
    }

    private BtfType decode(int off) {
        String name = string(u32(off));
        int info = u32(off + 4);
        int vlen = info & 0xffff;
        boolean kindFlag = info < 0;
        int sizeOrType = u32(off + 8);
        int kind = (info >>> 24) & 0x1f;
        long p = off + TYPE_SIZE;
        return switch (BtfKind.of(kind)) {
            case INT -> {
                int enc = u32(p);
                yield new BtfType.Int(name, sizeOrType, BtfType.IntEncoding.of((enc >>> 24) & 0xf),
                        (enc >>> 16) & 0xff, enc & 0xff);
            }
            case PTR -> new BtfType.Ptr(sizeOrType);
            case ARRAY -> new BtfType.Array(u32(p), u32(p + 4), u32(p + 8));
            case STRUCT -> new BtfType.Struct(name, sizeOrType, members(p, vlen, kindFlag));
            case UNION -> new BtfType.Union(name, sizeOrType, members(p, vlen, kindFlag));
            case ENUM -> {
                BtfType.EnumValue[] values = new BtfType.EnumValue[vlen];
                for (int i = 0; i < vlen; i++, p += 8) {
                    int v = u32(p + 4);
                    values[i] = new BtfType.EnumValue(string(u32(p)), kindFlag ? v : Integer.toUnsignedLong(v));
                }
                yield new BtfType.Enum(name, sizeOrType, kindFlag, List.of(values));
            }
            case ENUM64 -> {
                BtfType.EnumValue[] values = new BtfType.EnumValue[vlen];
                for (int i = 0; i < vlen; i++, p += 12) {
                    long v = Integer.toUnsignedLong(u32(p + 4)) | ((long) u32(p + 8) << 32);
                    values[i] = new BtfType.EnumValue(string(u32(p)), v);
                }
                yield new BtfType.Enum64(name, sizeOrType, kindFlag, List.of(values));
            }
            case FWD -> new BtfType.Fwd(name, kindFlag);
            case TYPEDEF -> new BtfType.Typedef(name, sizeOrType);
            case VOLATILE -> new BtfType.Volatile(sizeOrType);
            case CONST -> new BtfType.Const(sizeOrType);
            case RESTRICT -> new BtfType.Restrict(sizeOrType);
            case FUNC -> new BtfType.Func(name, sizeOrType, BtfType.Linkage.of(vlen));
            case FUNC_PROTO -> {
                boolean variadic = vlen > 0 && u32(p + 8L * (vlen - 1)) == 0 && u32(p + 8L * (vlen - 1) + 4) == 0;
                int n = variadic ? vlen - 1 : vlen;
                BtfType.Param[] params = new BtfType.Param[n];
                for (int i = 0; i < n; i++, p += 8) {
                    params[i] = new BtfType.Param(string(u32(p)), u32(p + 4));
                }
                yield new BtfType.FuncProto(sizeOrType, List.of(params), variadic);
            }
            case VAR -> new BtfType.Var(name, sizeOrType, BtfType.Linkage.of(u32(p)));
            case DATASEC -> {
                BtfType.VarSecInfo[] vars = new BtfType.VarSecInfo[vlen];
                for (int i = 0; i < vlen; i++, p += 12) {
                    vars[i] = new BtfType.VarSecInfo(u32(p), u32(p + 4), u32(p + 8));
                }
                yield new BtfType.DataSec(name, sizeOrType, List.of(vars));
            }
            case FLOAT -> new BtfType.Float(name, sizeOrType);
            case DECL_TAG -> new BtfType.DeclTag(name, sizeOrType, u32(p), kindFlag);
            case TYPE_TAG -> new BtfType.TypeTag(name, sizeOrType, kindFlag);
            case VOID -> throw new AssertionError("the parser rejects kind 0 entries");
        };
    }

    private List<BtfType.Member> members(long p, int vlen, boolean kindFlag) {
        BtfType.Member[] members = new BtfType.Member[vlen];
        for (int i = 0; i < vlen; i++, p += 12) {
            int offset = u32(p + 8);
            members[i] = kindFlag
                    ? new BtfType.Member(string(u32(p)), u32(p + 4), offset & 0xffffff, offset >>> 24)
                    : new BtfType.Member(string(u32(p)), u32(p + 4), offset, 0);
        }
        return List.of(members);
    }

    @Override
    public String toString() {
        return "Btf[" + (typeCount() - firstId) + " types" + (base != null ? ", split over " + firstId + " base types" : "")
                + ", " + stringsLength + " bytes of strings, " + order + "]";
    }
}
