package dev.jbcc.symbols;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.SyscallException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Kernel symbols from {@code /proc/kallsyms}, parsed once into arrays sorted by address: address →
 * {@code symbol+offset [module]} by binary search, and name → address. Names stay as bytes until
 * asked for, so loading the ~120,000 symbols of a typical kernel costs one read and one sort.
 *
 * <p>Real addresses need root (or {@code kernel.kptr_restrict=0}); when the kernel hides them,
 * {@link #load()} says so instead of resolving everything to the first symbol.
 */
public final class KernelSymbols implements Symbolizer {
    public static final Path KALLSYMS = Path.of("/proc/kallsyms");
    /** The module name reported for symbols of the kernel image itself. */
    public static final String KERNEL_MODULE = "vmlinux";

    private final byte[] text;
    // Parallel arrays in address order.
    private final long[] addresses;
    private final int[] nameStarts;
    private final short[] nameLengths;
    private final short[] moduleIds;
    private final char[] types;
    private final String[] modules;
    private volatile Map<String, Integer> byName;

    private KernelSymbols(byte[] text, long[] addresses, int[] nameStarts, short[] nameLengths, short[] moduleIds,
                          char[] types, String[] modules) {
        this.text = text;
        this.addresses = addresses;
        this.nameStarts = nameStarts;
        this.nameLengths = nameLengths;
        this.moduleIds = moduleIds;
        this.types = types;
        this.modules = modules;
    }

    private static final class Shared {
        static final KernelSymbols INSTANCE = load();
    }

    /** A process-wide instance, loaded on first use (module symbols as of that moment). */
    public static KernelSymbols shared() {
        return Shared.INSTANCE;
    }

    /** Reads {@code /proc/kallsyms} now. */
    public static KernelSymbols load() {
        byte[] bytes;
        try {
            // /proc files report size 0, so read to the end rather than by size.
            try (var in = Files.newInputStream(KALLSYMS)) {
                bytes = in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + KALLSYMS, e);
        }
        KernelSymbols symbols = parse(bytes);
        if (symbols.addresses.length > 0 && symbols.addresses[symbols.addresses.length - 1] == 0) {
            throw new SyscallException("read " + KALLSYMS, Errno.EPERM,
                    "the kernel hides symbol addresses (kernel.kptr_restrict); run as root or set kptr_restrict to 0");
        }
        return symbols;
    }

    /** Parses kallsyms text: {@code "ffffffff81000000 T _stext"}, optionally {@code "\t[module]"}. */
    public static KernelSymbols parse(byte[] text) {
        int lines = 0;
        for (byte b : text) if (b == '\n') lines++;
        long[] addresses = new long[lines + 1];
        int[] nameStarts = new int[lines + 1];
        short[] nameLengths = new short[lines + 1];
        short[] moduleIds = new short[lines + 1];
        char[] types = new char[lines + 1];
        Map<String, Short> moduleIndex = new HashMap<>();
        String[] modules = new String[16];
        modules[0] = KERNEL_MODULE;
        moduleIndex.put(KERNEL_MODULE, (short) 0);
        int count = 0, at = 0;
        boolean sorted = true;
        while (at < text.length) {
            int end = at;
            while (end < text.length && text[end] != '\n') end++;
            int space = indexOf(text, at, end, (byte) ' ');
            if (space < 0 || space + 3 > end) {
                if (end > at) throw new FormatException(KALLSYMS + ": malformed line at byte " + at);
                at = end + 1;
                continue;
            }
            long address = parseHex(text, at, space);
            char type = (char) text[space + 1];
            int nameStart = space + 3;
            int tab = indexOf(text, nameStart, end, (byte) '\t');
            int nameEnd = tab < 0 ? end : tab;
            short module = 0;
            if (tab >= 0) {
                int open = indexOf(text, tab, end, (byte) '[');
                int close = indexOf(text, tab, end, (byte) ']');
                if (open >= 0 && close > open) {
                    String name = new String(text, open + 1, close - open - 1, StandardCharsets.US_ASCII);
                    Short id = moduleIndex.get(name);
                    if (id == null) {
                        id = (short) moduleIndex.size();
                        moduleIndex.put(name, id);
                        if (id >= modules.length) modules = Arrays.copyOf(modules, modules.length * 2);
                        modules[id] = name;
                    }
                    module = id;
                }
            }
            // Absolute and undefined symbols are not code or data in the kernel's address space.
            if (type != 'a' && type != 'A' && type != 'U') {
                if (count > 0 && Long.compareUnsigned(addresses[count - 1], address) > 0) sorted = false;
                addresses[count] = address;
                nameStarts[count] = nameStart;
                nameLengths[count] = (short) Math.min(nameEnd - nameStart, Short.MAX_VALUE);
                moduleIds[count] = module;
                types[count] = type;
                count++;
            }
            at = end + 1;
        }
        KernelSymbols unsorted = new KernelSymbols(text, Arrays.copyOf(addresses, count), Arrays.copyOf(nameStarts, count),
                Arrays.copyOf(nameLengths, count), Arrays.copyOf(moduleIds, count), Arrays.copyOf(types, count),
                Arrays.copyOf(modules, moduleIndex.size()));
        return sorted ? unsorted : unsorted.sorted();
    }

    /** Module symbols come after the kernel's, in load order: sort all by address once. */
    private KernelSymbols sorted() {
        int n = addresses.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Long.compareUnsigned(addresses[a], addresses[b]));
        long[] a = new long[n];
        int[] s = new int[n];
        short[] l = new short[n];
        short[] m = new short[n];
        char[] t = new char[n];
        for (int i = 0; i < n; i++) {
            int from = order[i];
            a[i] = addresses[from];
            s[i] = nameStarts[from];
            l[i] = nameLengths[from];
            m[i] = moduleIds[from];
            t[i] = types[from];
        }
        return new KernelSymbols(text, a, s, l, m, t, modules);
    }

    /** How many symbols are indexed. */
    public int size() {
        return addresses.length;
    }

    @Override
    public ResolvedAddress resolve(long address) {
        int i = floor(address);
        if (i < 0) return ResolvedAddress.unknown(address, null);
        // Prefer a text symbol when several share the address (aliases of a function).
        return new ResolvedAddress(address, name(i), address - addresses[i], modules[moduleIds[i]]);
    }

    /** The address of the first symbol with this name (kernel image first, then modules), if any. */
    public OptionalLong address(String name) {
        Integer i = index().get(name);
        return i == null ? OptionalLong.empty() : OptionalLong.of(addresses[i]);
    }

    /** The address of {@code name} in {@code module} ({@link #KERNEL_MODULE} for the kernel image). */
    public OptionalLong address(String name, String module) {
        byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < addresses.length; i++) {
            if (nameLengths[i] == wanted.length && modules[moduleIds[i]].equals(module)
                    && Arrays.equals(text, nameStarts[i], nameStarts[i] + nameLengths[i], wanted, 0, wanted.length)) {
                return OptionalLong.of(addresses[i]);
            }
        }
        return OptionalLong.empty();
    }

    /** The kallsyms type letter of {@code name} ('T' global text, 't' local text, 'D' data, ...), or 0. */
    public char type(String name) {
        Integer i = index().get(name);
        return i == null ? 0 : types[i];
    }

    private Map<String, Integer> index() {
        Map<String, Integer> map = byName;
        if (map == null) {
            map = HashMap.newHashMap(addresses.length);
            for (int i = 0; i < addresses.length; i++) {
                String name = name(i);
                Integer old = map.get(name);
                if (old == null || (moduleIds[old] != 0 && moduleIds[i] == 0)) map.put(name, i);
            }
            byName = map;
        }
        return map;
    }

    private int floor(long address) {
        int lo = 0, hi = addresses.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addresses[mid], address) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // Walk back over aliases to the first symbol at that address that is text, if any.
        int best = found;
        for (int i = found; i >= 0 && addresses[i] == addresses[found]; i--) {
            char t = types[i];
            if (t == 'T' || t == 't') best = i;
        }
        return best;
    }

    private String name(int i) {
        return new String(text, nameStarts[i], nameLengths[i], StandardCharsets.US_ASCII);
    }

    private static int indexOf(byte[] text, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) if (text[i] == wanted) return i;
        return -1;
    }

    private static long parseHex(byte[] text, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            int c = text[i];
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (digit < 0) throw new FormatException(KALLSYMS + ": bad address at byte " + from);
            value = (value << 4) | digit;
        }
        return value;
    }

    @Override
    public String toString() {
        return "KernelSymbols[" + addresses.length + " symbols, " + modules.length + " modules]";
    }
}
