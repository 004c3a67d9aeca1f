package dev.jbcc.bcc.dialect;

import dev.jbcc.compile.internal.CompileCache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.jbcc.compile.internal.CompileCache.readString;
import static dev.jbcc.compile.internal.CompileCache.writeString;

/**
 * Whole compiled programs, so that a program compiled before is ready again without the prelude,
 * the pre-pass (which reads the kernel's BTF and tracefs), the AST pass or clang: what a cached
 * {@code BPF.fromText} pays is this key, one file read and parsing the object.
 *
 * <p>The key is everything the result depends on that is known before any of that work: the
 * source's name, text and directory, the working directory, the user's flags, the USDT readers,
 * the page size, the tracefs roots, the {@linkplain dev.jbcc.compile.ClangCompiler#cacheIdentity()
 * compiler's identity} (clang's binary and version, the kernel's BTF identity) and this front-end's
 * own code and headers ({@link #frontEndIdentity()}). What only the passes find out, the program's
 * own headers and the tracepoint format files it read, is recorded with the entry and checked on
 * lookup (size and mtime, then content). Entries are {@link CompileCache} objects: written
 * atomically, evicted least recently used first under the same size cap.
 */
final class ProgramCache {
    private static final String FORMAT = "jbcc-bcc-program-1";
    private static final byte[] MAGIC = "JBCC-BCC-PROGRAM-1".getBytes(StandardCharsets.US_ASCII);
    /** The classes whose code decides the rewrite, and the headers every program is compiled with. */
    private static final List<Class<?>> CODE = List.of(BccCompiler.class, PrePass.class, AstPass.class, ClangAst.class,
            Lexer.class, TextEdits.class, Conditionals.class, KernelCompat.class, TracepointFormat.class, UsdtHeader.class,
            Prelude.class, TableDecl.class, Json.class);
    private static final List<String> RESOURCES = List.of(Prelude.RESOURCE, Prelude.COMPAT_RESOURCE);
    private static volatile String frontEndIdentity;

    /**
     * A compiled program as stored.
     *
     * @param rewrite  the AST pass's result (the rewritten text, functions, submissions)
     * @param tables   the pre-pass's table declarations, in declaration order
     * @param elf      the object
     * @param warnings clang's warnings
     */
    record Entry(AstPass.Result rewrite, List<TableDecl> tables, byte[] elf, String warnings) {}

    private final CompileCache cache;

    ProgramCache(CompileCache cache) {
        this.cache = cache;
    }

    /** The key for a program: {@code parts} after the format and the front-end's identity. */
    static String key(List<String> parts) {
        var key = new CompileCache.KeyBuilder().add(FORMAT).add(frontEndIdentity());
        for (String p : parts) key.add(p);
        return key.hex();
    }

    /**
     * The code and headers of this front-end: a changed jbcc must not reuse a rewrite an older one
     * made (versions alone do not tell snapshot builds apart). From a jar: its path, size and
     * modification time, one stat (a rebuilt jar has a new mtime). Otherwise (classes in a
     * directory, as in jbcc's own build): a {@link CompileCache.KeyBuilder} hash of each class
     * file and header.
     */
    static String frontEndIdentity() {
        String id = frontEndIdentity;
        if (id == null) {
            id = jarIdentity();
            if (id == null) {
                var sb = new StringBuilder("classes:");
                for (Class<?> c : CODE) sb.append(checksum(c, c.getSimpleName() + ".class")).append(',');
                for (String r : RESOURCES) sb.append(checksum(Prelude.class, r)).append(',');
                id = sb.toString();
            }
            frontEndIdentity = id;
        }
        return id;
    }

    /** The jar this class came from as path, size and mtime, or null if it did not come from a jar file. */
    private static String jarIdentity() {
        try {
            var source = ProgramCache.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) return null;
            Path jar = Path.of(source.getLocation().toURI());
            var attrs = Files.readAttributes(jar, BasicFileAttributes.class);
            if (!attrs.isRegularFile()) return null;
            var mtime = attrs.lastModifiedTime().toInstant();
            return "jar:" + jar + ":" + attrs.size() + ":" + mtime.getEpochSecond() + "." + mtime.getNano();
        } catch (IOException | java.net.URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null; // not a plain file: identify the classes themselves
        }
    }

    private static String checksum(Class<?> anchor, String resource) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is missing from the jbcc-bcc jar");
            return new CompileCache.KeyBuilder().add(in.readAllBytes()).hex();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entry for {@code key}, if present, intact and with every recorded file unchanged. */
    Optional<Entry> lookup(String key) {
        return cache.lookup(key).map(e -> decode(e.object(), e.warnings()));
    }

    /**
     * Stores a program with the files it depends on beyond its key; a file that cannot be read is
     * not stored (the next compile does the work again).
     */
    void store(String key, Entry entry, List<Path> dependencies) {
        var deps = new ArrayList<CompileCache.Dependency>();
        for (Path file : dependencies) {
            try {
                deps.add(CompileCache.Dependency.of(file));
            } catch (IOException e) {
                System.getLogger(ProgramCache.class.getName()).log(System.Logger.Level.DEBUG,
                        "not caching the program: cannot read " + file, e);
                return;
            }
        }
        cache.store(key, new CompileCache.Entry(encode(entry), entry.warnings(), deps));
    }

    private static byte[] encode(Entry entry) {
        var buffer = new ByteArrayOutputStream(entry.elf().length + entry.rewrite().text().length() * 2 + 1024);
        try (var out = new DataOutputStream(buffer)) {
            out.write(MAGIC);
            writeString(out, RewriteCache.encode(entry.rewrite()));
            out.writeInt(entry.tables().size());
            for (TableDecl t : entry.tables()) {
                for (String s : List.of(t.name(), t.macro(), t.kind(), t.mapType(), t.keyType(), t.leafType(),
                        t.maxEntries(), t.flags())) {
                    writeString(out, s);
                }
                writeNullable(out, t.pinnedPath());
                writeNullable(out, t.innerMap());
                out.writeInt(t.line());
            }
            out.writeInt(entry.elf().length);
            out.write(entry.elf());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return buffer.toByteArray();
    }

    /** The entry, or null when the bytes are not one (a foreign or damaged file: compiled again and overwritten). */
    private static Entry decode(byte[] bytes, String warnings) {
        try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (!java.util.Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) return null;
            AstPass.Result rewrite = RewriteCache.decode(readString(in));
            int n = in.readInt();
            if (n < 0 || n > 10_000) return null;
            var tables = new ArrayList<TableDecl>(n);
            for (int i = 0; i < n; i++) {
                tables.add(new TableDecl(readString(in), readString(in), readString(in), readString(in), readString(in),
                        readString(in), readString(in), readString(in), readNullable(in), readNullable(in), in.readInt()));
            }
            int length = in.readInt();
            if (length < 0 || length != in.available()) return null;
            return new Entry(rewrite, List.copyOf(tables), in.readNBytes(length), warnings);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) writeString(out, s);
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }
}
