package dev.jbcc.symbols;

import dev.jbcc.errors.FormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The dynamic linker's library cache, {@code /etc/ld.so.cache}, in glibc's current format
 * ({@code glibc-ld.so.cache1.1}), alone or after the legacy {@code ld.so-1.7.0} table that
 * older ldconfig versions write first. Maps sonames such as {@code libc.so.6} to paths.
 */
public final class LdSoCache {
    /** The file the dynamic linker reads. */
    public static final Path SYSTEM_PATH = Path.of("/etc/ld.so.cache");

    private static final byte[] NEW_MAGIC = "glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OLD_MAGIC = "ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII);
    private static final int NEW_HEADER_SIZE = 48, NEW_ENTRY_SIZE = 24, OLD_HEADER_SIZE = 16, OLD_ENTRY_SIZE = 12;
    /** Entry flags: the low byte is the library type, the next the architecture. */
    private static final int FLAG_TYPE_MASK = 0xff, FLAG_ELF_LIBC6 = 0x03, FLAG_ARCH_MASK = 0xff00;
    // The cache is written by the host's ldconfig, so it is in the host's byte order.
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /**
     * One library in the cache.
     *
     * @param soname the file name the linker looks up, e.g. {@code libc.so.6}
     * @param path   where it is, e.g. {@code /lib/x86_64-linux-gnu/libc.so.6}
     * @param flags  glibc's entry flags: library type and architecture (e.g. 0x0303 for x86-64 libc6)
     */
    public record Entry(String soname, Path path, int flags) {}

    private final Path origin;
    private final List<Entry> entries;

    private LdSoCache(Path origin, List<Entry> entries) {
        this.origin = origin;
        this.entries = entries;
    }

    private static final class SystemCache {
        static final LdSoCache CACHE = readSystem();

        private static LdSoCache readSystem() {
            try {
                return read(SYSTEM_PATH);
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof NoSuchFileException) return new LdSoCache(SYSTEM_PATH, List.of());
                throw e;
            }
        }
    }

    /** The system's cache, read once; empty if the file does not exist (e.g. in a minimal container). */
    public static LdSoCache system() {
        return SystemCache.CACHE;
    }

    /** Reads a cache file. */
    public static LdSoCache read(Path path) {
        try {
            return parse(Files.readAllBytes(path), path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** Parses cache bytes; {@code origin} names them in error messages. */
    public static LdSoCache parse(byte[] bytes, Path origin) {
        MemorySegment data = MemorySegment.ofArray(bytes);
        long base;
        if (startsWith(data, 0, NEW_MAGIC)) {
            base = 0;
        } else if (startsWith(data, 0, OLD_MAGIC)) {
            // The legacy table comes first; the new-format cache follows it, 8-byte aligned.
            long oldCount = data.byteSize() >= OLD_HEADER_SIZE ? data.get(U32, 12) & 0xffffffffL : 0;
            base = (OLD_HEADER_SIZE + oldCount * OLD_ENTRY_SIZE + 7) & ~7L;
            if (!startsWith(data, base, NEW_MAGIC)) {
                throw new FormatException(origin + ": only the legacy ld.so-1.7.0 format is present;"
                        + " jbcc reads glibc-ld.so.cache1.1 (run ldconfig from glibc 2.32 or later)");
            }
        } else {
            throw new FormatException(origin + ": not an ld.so cache (no glibc-ld.so.cache1.1 magic)");
        }
        try {
            long count = data.get(U32, base + 20) & 0xffffffffL;
            List<Entry> entries = new ArrayList<>((int) Math.min(count, 1 << 16));
            for (long i = 0; i < count; i++) {
                long at = base + NEW_HEADER_SIZE + i * NEW_ENTRY_SIZE;
                int flags = data.get(U32, at);
                // String offsets in the new format count from the start of the new-format header.
                String key = string(data, base + (data.get(U32, at + 4) & 0xffffffffL), origin);
                String value = string(data, base + (data.get(U32, at + 8) & 0xffffffffL), origin);
                entries.add(new Entry(key, Path.of(value), flags));
            }
            return new LdSoCache(origin, List.copyOf(entries));
        } catch (IndexOutOfBoundsException e) {
            throw new FormatException(origin + ": truncated ld.so cache", e);
        }
    }

    public Path origin() {
        return origin;
    }

    /** All entries in cache order (the linker's preference order). */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * Finds a library for this machine's architecture the way bcc and libbpf do: {@code "c"} and
     * {@code "libc"} match the first soname starting with {@code libc.so}; a name containing
     * {@code .so} must match a soname exactly or as a prefix ({@code libc.so} finds {@code libc.so.6}).
     */
    public Optional<Path> find(String library) {
        String prefix = sonamePrefix(library);
        int arch = hostArchitecture();
        for (Entry e : entries) {
            if ((e.flags() & FLAG_TYPE_MASK) != FLAG_ELF_LIBC6) continue;
            if (arch >= 0 && (e.flags() & FLAG_ARCH_MASK) != arch) continue;
            String soname = e.soname();
            if (soname.equals(library) || soname.startsWith(prefix)) return Optional.of(e.path());
        }
        return Optional.empty();
    }

    /** {@code "c"} → {@code "libc.so"}; {@code "libc.so.6"} stays. */
    static String sonamePrefix(String library) {
        String name = library.startsWith("lib") ? library : "lib" + library;
        return name.contains(".so") ? name : name + ".so";
    }

    /** glibc's architecture flag for 64-bit libraries on this host, or -1 to accept any. */
    private static int hostArchitecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 0x0300;
            case "aarch64" -> 0x0a00;
            default -> -1;
        };
    }

    private static boolean startsWith(MemorySegment data, long at, byte[] magic) {
        if (data.byteSize() < at + magic.length) return false;
        for (int i = 0; i < magic.length; i++) {
            if (data.get(ValueLayout.JAVA_BYTE, at + i) != magic[i]) return false;
        }
        return true;
    }

    private static String string(MemorySegment data, long at, Path origin) {
        long end = at;
        while (end < data.byteSize() && data.get(ValueLayout.JAVA_BYTE, end) != 0) end++;
        if (end >= data.byteSize()) throw new FormatException(origin + ": string at offset " + at + " is not terminated");
        return new String(data.asSlice(at, end - at).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "LdSoCache[" + origin + ", " + entries.size() + " entries]";
    }
}
