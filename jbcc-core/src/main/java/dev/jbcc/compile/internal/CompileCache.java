package dev.jbcc.compile.internal;

import dev.jbcc.errors.CompileException;
import dev.jbcc.errors.FileAccessException;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * jbcc's private on-disk cache: compiled objects keyed by everything that determines them, and
 * generated kernel headers. The directory is 0700 and owned by the user, because a poisoned
 * object here would be loaded into the kernel; every file is written to a temporary name and
 * renamed into place, so a reader sees a whole entry or none.
 */
public final class CompileCache {
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final byte[] MAGIC = "JBCCOBJ1".getBytes(StandardCharsets.US_ASCII);

    private final Path root;

    private CompileCache(Path root) {
        this.root = root;
    }

    /** {@code $XDG_CACHE_HOME/jbcc}, or {@code ~/.cache/jbcc}. */
    public static Path defaultDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        // The XDG spec says relative values are invalid and must be ignored.
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) return Path.of(xdg, "jbcc");
        return Path.of(System.getProperty("user.home"), ".cache", "jbcc");
    }

    /**
     * Opens (creating as needed) a cache directory. One we own with looser permissions is
     * tightened to 0700; one owned by someone else is refused.
     */
    public static CompileCache open(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(root.getParent());
            // A no-op when it exists already: its owner and mode are then checked like any other.
            Files.createDirectories(root, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            if (!Files.isDirectory(root)) {
                throw new FileAccessException(root, "cache directory " + root + " is not a directory; remove it");
            }
            int owner = (Integer) Files.getAttribute(root, "unix:uid");
            int me = currentUid();
            if (owner != me) {
                throw new FileAccessException(root, "cache directory " + root + " belongs to uid " + owner + ", not to you (uid "
                        + me + "); remove it or point XDG_CACHE_HOME elsewhere");
            }
            if (!Files.getPosixFilePermissions(root).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(root, OWNER_ONLY);
            }
        } catch (IOException e) {
            throw FileAccessException.of("set up the cache directory", root, e, "remove it or point XDG_CACHE_HOME elsewhere");
        }
        return new CompileCache(root);
    }

    /** The effective uid: /proc/self belongs to it. */
    public static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    public Path root() {
        return root;
    }

    /** A private subdirectory, created 0700 like the root. */
    public Path subdirectory(String... names) {
        Path dir = root;
        for (String name : names) dir = dir.resolve(name);
        return createPrivateDirectories(dir);
    }

    /** {@code dir} and any missing parents, each created 0700; returns {@code dir}. */
    public static Path createPrivateDirectories(Path dir) {
        try {
            return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (IOException e) {
            throw FileAccessException.of("create", dir, e);
        }
    }

    /**
     * A new private directory under the cache's {@code tmp}, named {@code prefix} and a random
     * tail; {@link #pruneTemporaries} removes those a killed process left behind.
     */
    public Path temporaryDirectory(String prefix) {
        try {
            return Files.createTempDirectory(subdirectory("tmp"), prefix);
        } catch (IOException e) {
            throw FileAccessException.of("create a temporary directory in", root.resolve("tmp"), e);
        }
    }

    /**
     * Removes temporary directories that compiles killed mid-way left behind. Only old ones: a
     * young one may belong to a compile running in another process.
     */
    public void pruneTemporaries(java.time.Duration olderThan) {
        Path tmp = root.resolve("tmp");
        if (!Files.isDirectory(tmp)) return;
        var cutoff = java.time.Instant.now().minus(olderThan);
        try (Stream<Path> entries = Files.list(tmp)) {
            for (Path p : entries.toList()) {
                if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
                    deleteQuietly(p);
                }
            }
        } catch (IOException e) {
            // Pruning is housekeeping: a failure costs disk space, never a compile.
            System.getLogger(CompileCache.class.getName()).log(System.Logger.Level.DEBUG, "cannot prune " + tmp, e);
        }
    }

    // ---- compiled objects ------------------------------------------------------------------

    /**
     * A cached compilation: the object, clang's warnings, and the files it read that the cache key
     * does not already pin down (headers outside the generated kernel headers).
     */
    public record Entry(byte[] object, String warnings, List<Dependency> dependencies) {}

    /**
     * A file the compilation read, as it was then. Size and mtime are the cheap check; the content
     * hash decides when they changed, so that touching a header does not force a recompile.
     */
    public record Dependency(String path, long size, long mtimeNanos, String sha256) {
        public static Dependency of(Path file) throws IOException {
            var attrs = Files.readAttributes(file, BasicFileAttributes.class);
            return new Dependency(file.toString(), attrs.size(), nanos(attrs), sha256Hex(Files.readAllBytes(file)));
        }

        public boolean unchanged() {
            Path file = Path.of(path);
            try {
                var attrs = Files.readAttributes(file, BasicFileAttributes.class);
                if (attrs.size() == size && nanos(attrs) == mtimeNanos) return true;
                return attrs.size() == size && sha256Hex(Files.readAllBytes(file)).equals(sha256);
            } catch (NoSuchFileException e) {
                return false; // deleted since: the compile would now fail or find another file
            } catch (IOException e) {
                return false; // unreadable now: let clang report it
            }
        }

        private static long nanos(BasicFileAttributes attrs) {
            var t = attrs.lastModifiedTime().toInstant();
            return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        }
    }

    private Path objectPath(String key) {
        return root.resolve("objects").resolve(key.substring(0, 2)).resolve(key + ".entry");
    }

    /** The entry for {@code key} if present, intact and with all its dependencies unchanged. */
    public Optional<Entry> lookup(String key) {
        Path file = objectPath(key);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw FileAccessException.of("read the cache entry", file, e);
        }
        Entry entry = decode(bytes);
        if (entry == null) return Optional.empty(); // torn or foreign file: recompile and overwrite it
        for (Dependency d : entry.dependencies()) {
            if (!d.unchanged()) return Optional.empty();
        }
        touch(file); // used now: the last to go when the cache is over its size
        return Optional.of(entry);
    }

    /** Where {@link #store} puts the entry for {@code key}; tests watch it. */
    public Path entryPath(String key) {
        return objectPath(key);
    }

    public void store(String key, Entry entry) {
        subdirectory("objects", key.substring(0, 2));
        writeAtomically(objectPath(key), encode(entry));
        evict(maxBytes());
    }

    // ---- size --------------------------------------------------------------------------------

    /** The size compiled objects may take unless {@code JBCC_CACHE_MAX} or {@code -Djbcc.cache.max} says otherwise. */
    static final long DEFAULT_MAX_BYTES = 256L << 20;

    /** The cap on compiled objects: {@code -Djbcc.cache.max}, else {@code $JBCC_CACHE_MAX}, else 256 MiB. */
    static long maxBytes() {
        String value = System.getProperty("jbcc.cache.max");
        String name = "-Djbcc.cache.max";
        if (value == null) {
            value = System.getenv("JBCC_CACHE_MAX");
            name = "JBCC_CACHE_MAX";
        }
        return value == null || value.isBlank() ? DEFAULT_MAX_BYTES : parseSize(name, value.strip());
    }

    /** A size in bytes, with an optional K, M or G suffix (powers of 1024). */
    static long parseSize(String name, String value) {
        var m = java.util.regex.Pattern.compile("(\\d{1,15})([KkMmGg]?)(i?B)?").matcher(value);
        if (!m.matches()) {
            throw new CompileException(name + "=" + value + " is not a size; write it in bytes or with K, M or G, e.g. 256M", "");
        }
        int shift = switch (Character.toUpperCase(m.group(2).isEmpty() ? ' ' : m.group(2).charAt(0))) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    private static void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
        } catch (IOException e) {
            // Only the eviction order suffers.
            System.getLogger(CompileCache.class.getName()).log(System.Logger.Level.DEBUG, "cannot touch " + file, e);
        }
    }

    /** A cached object on disk, for eviction. */
    private record Stored(Path file, long size, long lastUsed) {}

    /**
     * Deletes the least recently used objects until they take at most {@code limit} bytes. The
     * newest stays even when it alone is larger. Other processes may evict at the same time;
     * losing an entry only costs a compile.
     */
    void evict(long limit) {
        Path objects = root.resolve("objects");
        var stored = new ArrayList<Stored>();
        long total = 0;
        try (Stream<Path> walk = Files.walk(objects, 2)) {
            for (Path p : walk.filter(f -> f.getFileName().toString().endsWith(".entry")).toList()) {
                try {
                    var attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (!attrs.isRegularFile()) continue;
                    stored.add(new Stored(p, attrs.size(), attrs.lastModifiedTime().toMillis()));
                    total += attrs.size();
                } catch (NoSuchFileException e) {
                    // evicted by another process meanwhile
                }
            }
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException | UncheckedIOException e) {
            System.getLogger(CompileCache.class.getName()).log(System.Logger.Level.DEBUG, "cannot size " + objects, e);
            return;
        }
        if (total <= limit) return;
        stored.sort(Comparator.comparingLong(Stored::lastUsed));
        for (int i = 0; i < stored.size() - 1 && total > limit; i++) {
            try {
                Files.deleteIfExists(stored.get(i).file());
                total -= stored.get(i).size();
            } catch (IOException e) {
                System.getLogger(CompileCache.class.getName()).log(System.Logger.Level.DEBUG, "cannot evict " + stored.get(i).file(), e);
            }
        }
    }

    /** Everything in the cache directory deleted; returns the bytes freed. */
    public long clean() {
        long freed = 0;
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.toList()) {
                try (Stream<Path> walk = Files.walk(p)) {
                    for (Path f : walk.toList()) {
                        var attrs = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        if (attrs.isRegularFile()) freed += attrs.size();
                    }
                }
                try (Stream<Path> walk = Files.walk(p)) {
                    for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            throw FileAccessException.of("clean the cache directory", root, e);
        } catch (UncheckedIOException e) {
            throw FileAccessException.of("clean the cache directory", root, e.getCause());
        }
        return freed;
    }

    private static byte[] encode(Entry entry) {
        var buffer = new ByteArrayOutputStream(entry.object().length + 1024);
        try (var out = new DataOutputStream(buffer)) {
            out.write(MAGIC);
            out.writeInt(entry.dependencies().size());
            for (Dependency d : entry.dependencies()) {
                writeString(out, d.path());
                out.writeLong(d.size());
                out.writeLong(d.mtimeNanos());
                writeString(out, d.sha256());
            }
            writeString(out, entry.warnings());
            out.writeInt(entry.object().length);
            out.write(entry.object());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return buffer.toByteArray();
    }

    private static Entry decode(byte[] bytes) {
        try (var in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) return null;
            int count = in.readInt();
            if (count < 0 || count > 100_000) return null;
            var deps = new ArrayList<Dependency>(count);
            for (int i = 0; i < count; i++) {
                deps.add(new Dependency(readString(in), in.readLong(), in.readLong(), readString(in)));
            }
            String warnings = readString(in);
            int length = in.readInt();
            if (length < 0 || length != in.available()) return null;
            return new Entry(in.readNBytes(length), warnings, deps);
        } catch (EOFException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayInputStream does not fail otherwise
        }
    }

    /** A string as its UTF-8 length and bytes; {@link #readString} reads it back. */
    public static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** A string {@link #writeString} wrote; EOFException for a length past the input's end. */
    public static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) throw new EOFException("bad string length " + length);
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    // ---- files -----------------------------------------------------------------------------

    /** Writes to a temporary file beside {@code target} and renames it over the target. */
    public static void writeAtomically(Path target, byte[] content) {
        writeAtomically(target, out -> out.write(content));
    }

    /** Writes what {@code writer} produces to {@code target} atomically, streaming. */
    public static void writeAtomically(Path target, IoWriter writer) {
        Path temp = null;
        try {
            temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
                writer.write(out);
            }
            moveIntoPlace(temp, target);
            temp = null;
        } catch (IOException e) {
            throw FileAccessException.of("write", target, e);
        } finally {
            if (temp != null) deleteQuietly(temp);
        }
    }

    /**
     * Renames a finished file over {@code target}, atomically where the file system can, so that
     * readers see the old file or the new one, never a part.
     */
    public static void moveIntoPlace(Path finished, Path target) throws IOException {
        try {
            Files.move(finished, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Same directory (or the same cache), so this only happens on exotic file systems.
            Files.move(finished, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @FunctionalInterface
    public interface IoWriter {
        void write(java.io.OutputStream out) throws IOException;
    }

    /** A small text file's content, or null if it does not exist. */
    public static String readSmallText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw FileAccessException.of("read", file, e);
        }
    }

    /** Best-effort removal of a temporary file or directory tree. */
    public static void deleteQuietly(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover temporary file is harmless; the real error, if any, is already on its way.
            System.Logger log = System.getLogger(CompileCache.class.getName());
            log.log(System.Logger.Level.DEBUG, "cannot delete " + path, e);
        }
    }

    // ---- hashing ---------------------------------------------------------------------------

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    public static String sha256Hex(String s) {
        return sha256Hex(s.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) md.update(buffer, 0, n);
        return HexFormat.of().formatHex(md.digest());
    }

    /** {@link KeyBuilder}'s key of one string: for names derived from short identities. */
    public static String keyHex(String s) {
        return new KeyBuilder().add(s).hex();
    }

    /**
     * Accumulates a cache key from length-prefixed parts, so "ab"+"c" and "a"+"bc" differ: a
     * 128-bit hash, 32 hex digits. Not SHA-256: a cold JVM spends ~50 ms setting up the security
     * providers for its first {@code MessageDigest} and then runs the digest interpreted, where a
     * cached compile should cost a few milliseconds in all. A key only has to tell inputs apart,
     * not resist forgery: the cache directory is private to its user, who is the only one writing
     * entries. Two 64-bit lanes, each word multiplied, rotated and folded in with different
     * constants, then both finalised with a 64-bit avalanche mix: an accidental collision among
     * the cache's entries is as unlikely as for any 128-bit hash.
     */
    public static final class KeyBuilder {
        private static final long C1 = 0x87c37b91114253d5L, C2 = 0x4cf5ad432745937fL;
        private long h1 = 0x9e3779b97f4a7c15L, h2 = 0x632be59bd9b4e019L;
        private long length;
        private final byte[] lengthBytes = new byte[4];

        public KeyBuilder add(String part) {
            return add(part.getBytes(StandardCharsets.UTF_8));
        }

        public KeyBuilder add(byte[] part) {
            int n = part.length;
            lengthBytes[0] = (byte) (n >>> 24);
            lengthBytes[1] = (byte) (n >>> 16);
            lengthBytes[2] = (byte) (n >>> 8);
            lengthBytes[3] = (byte) n;
            bytes(lengthBytes);
            bytes(part);
            return this;
        }

        private void bytes(byte[] b) {
            int i = 0;
            for (; i + 8 <= b.length; i += 8) {
                word((b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24
                        | (b[i + 4] & 0xffL) << 32 | (b[i + 5] & 0xffL) << 40 | (b[i + 6] & 0xffL) << 48 | (b[i + 7] & 0xffL) << 56);
            }
            if (i < b.length) {
                long w = 0;
                for (int shift = 0; i < b.length; i++, shift += 8) w |= (b[i] & 0xffL) << shift;
                word(w ^ 0x8000000000000000L >>> (b.length & 7)); // the tail's length is part of its word
            }
            length += b.length;
        }

        private void word(long w) {
            h1 = Long.rotateLeft(h1 ^ Long.rotateLeft(w * C1, 31) * C2, 27) * 5 + 0x52dce729;
            h2 = Long.rotateLeft(h2 ^ Long.rotateLeft(w * C2, 33) * C1, 31) * 5 + 0x38495ab5;
        }

        public String hex() {
            long a = h1 ^ length, b = h2 ^ length;
            a += b;
            b += a;
            a = avalanche(a);
            b = avalanche(b);
            a += b;
            b += a;
            return HexFormat.of().toHexDigits(a) + HexFormat.of().toHexDigits(b);
        }

        private static long avalanche(long z) {
            z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
            z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
            return z ^ (z >>> 33);
        }
    }
}
