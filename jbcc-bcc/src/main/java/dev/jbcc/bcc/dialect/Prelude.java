package dev.jbcc.bcc.dialect;

import dev.jbcc.CompileException;
import dev.jbcc.compile.ClangCompiler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * jbcc's stand-in for kernel headers, kept in the compile cache: the prelude (vmlinux.h, libbpf's
 * BPF headers, the #defines BTF lacks, bcc's dialect macros), precompiled once per kernel and
 * clang, and a directory of one-line stub headers that resolve any kernel include a program names
 * ({@code <net/sock.h>}, {@code <linux/ip.h>}, …) to the prelude.
 *
 * <p>The precompiled header is what makes the AST pass cheap: a dump of a translation unit that
 * includes vmlinux.h textually would hold every kernel type, while types from a PCH are not dumped
 * unless used, and parsing the prelude is paid once rather than at every compile.
 */
final class Prelude {
    static final String RESOURCE = "prelude.h";
    static final String COMPAT_RESOURCE = "kernel_compat.h";
    static final String HEADER_NAME = "jbcc_bcc_prelude.h";
    /** First path components of the kernel's header tree; such includes are served by stubs. */
    private static final Set<String> KERNEL_HEADER_ROOTS = Set.of("linux", "uapi", "asm", "asm-generic", "net", "bcc",
            "generated", "crypto", "scsi", "xen", "keys", "rdma", "sound", "vdso", "clocksource", "kunit", "trace",
            "drm", "media", "misc", "video", "soc", "dt-bindings", "acpi", "ras", "target", "math-emu", "pcmcia");
    private static final Duration CLANG_TIMEOUT = Duration.ofMinutes(2);

    private final Path clang;
    private final Path directory;
    private final Path includeDirectory;
    private final Path pch;
    private final Path kernelHeaders;
    private final List<String> baseFlags;
    private final String identity;

    private Prelude(Path clang, Path directory, Path kernelHeaders, List<String> baseFlags) {
        this.identity = directory.getFileName().toString();
        this.clang = clang;
        this.directory = directory;
        this.includeDirectory = directory.resolve("include");
        this.pch = directory.resolve("prelude.pch");
        this.kernelHeaders = kernelHeaders;
        this.baseFlags = baseFlags;
    }

    /** Whether jbcc serves this include itself (a kernel or bcc header), rather than the file system. */
    static boolean isServed(String includeName) {
        int slash = includeName.indexOf('/');
        return slash > 0 && KERNEL_HEADER_ROOTS.contains(includeName.substring(0, slash));
    }

    /** The prelude's text, with the kernel compatibility header ({@value #COMPAT_RESOURCE}) in place of its include. */
    static String text() {
        return resource(RESOURCE).replace("#include \"" + COMPAT_RESOURCE + "\"\n", resource(COMPAT_RESOURCE));
    }

    private static String resource(String name) {
        try (InputStream in = Prelude.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from the jbcc-bcc jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    /**
     * The prelude for a compiler: its directory is keyed by everything the PCH depends on, so a new
     * kernel, clang or prelude gets a new one. Builds the PCH if it is missing.
     */
    static Prelude forCompiler(ClangCompiler compiler, Path cacheRoot) {
        Path kernelHeaders = compiler.kernelHeaderDirectory();
        if (kernelHeaders == null || !Files.isRegularFile(kernelHeaders.resolve("vmlinux.h"))) {
            throw new CompileException("bcc programs need the kernel's types: compile with KernelHeaders.runningKernel()"
                    + " (the default) or a directory holding vmlinux.h", "");
        }
        String prelude = text();
        Path vmlinux = kernelHeaders.resolve("vmlinux.h");
        String key;
        try {
            key = sha256(String.join("\0", prelude, compiler.clang().executable().toString(), compiler.clang().version(),
                    vmlinux.toString(), Long.toString(Files.size(vmlinux)),
                    Files.getLastModifiedTime(vmlinux).toString(), String.join(" ", ClangCompiler.baseFlags())));
        } catch (IOException e) {
            throw new CompileException("cannot read " + vmlinux + ": " + e, "");
        }
        Path dir = privateDirectory(cacheRoot.resolve("bcc").resolve(key.substring(0, 32)));
        var p = new Prelude(compiler.clang().executable(), dir, kernelHeaders, ClangCompiler.baseFlags());
        p.ensureBuilt(prelude);
        return p;
    }

    /** What the prelude's content depends on (its cache directory's name). */
    String identity() {
        return identity;
    }

    RewriteCache rewriteCache() {
        return new RewriteCache(privateDirectory(directory.resolve("rewrites")));
    }

    Path includeDirectory() {
        return includeDirectory;
    }

    Path pch() {
        return pch;
    }

    Path kernelHeaders() {
        return kernelHeaders;
    }

    Path clang() {
        return clang;
    }

    List<String> baseFlags() {
        return baseFlags;
    }

    /** A private temporary directory inside the prelude's cache directory. */
    Path temporaryDirectory() {
        try {
            return Files.createTempDirectory(privateDirectory(directory.resolve("tmp")), "ast-");
        } catch (IOException e) {
            throw new CompileException("cannot create a temporary directory in " + directory + ": " + e, "");
        }
    }

    /** Flags that make kernel includes resolve to the prelude and load it precompiled. */
    List<String> includeFlags() {
        return List.of("-I", includeDirectory.toString(), "-include-pch", pch.toString());
    }

    /** A header with {@code text}, written once under a name derived from its content. */
    Path generatedHeader(String kind, String text) {
        Path file = directory.resolve("generated").resolve(kind + "-" + sha256(text).substring(0, 32) + ".h");
        if (!Files.isRegularFile(file)) writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /** Writes a stub for each kernel header name that does not have one yet. */
    void ensureStubs(Iterable<String> includeNames) {
        for (String name : includeNames) {
            if (name.contains("..") || name.startsWith("/")) continue;
            Path stub = includeDirectory.resolve(name).normalize();
            if (!stub.startsWith(includeDirectory) || Files.isRegularFile(stub)) continue;
            String text = "/* jbcc: <" + name + "> is served from the kernel's BTF by the prelude. */\n"
                    + "#include \"" + includeDirectory.resolve(HEADER_NAME) + "\"\n";
            writeAtomically(stub, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void ensureBuilt(String prelude) {
        Path header = includeDirectory.resolve(HEADER_NAME);
        if (!Files.isRegularFile(header)) writeAtomically(header, prelude.getBytes(StandardCharsets.UTF_8));
        if (Files.isRegularFile(pch)) return;
        Path temp = temporaryDirectory();
        try {
            Path out = temp.resolve("prelude.pch");
            var command = new ArrayList<String>();
            command.add(clang.toString());
            command.addAll(baseFlags);
            command.addAll(List.of("-I", kernelHeaders.toString(), "-x", "c-header", header.toString(), "-o", out.toString()));
            String output = run(command, temp.resolve("clang.log"));
            if (!Files.isRegularFile(out)) {
                throw new CompileException("precompiling jbcc's bcc prelude failed:\n" + output, output);
            }
            move(out, pch);
        } finally {
            deleteTree(temp);
        }
    }

    /** Runs clang with stdout and stderr into {@code log}; returns the log, throws on a non-zero exit. */
    String run(List<String> command, Path log) {
        return runCapturing(command, log, log).stderr();
    }

    record Output(int exitCode, String stderr) {}

    /** Runs a command; stdout goes to {@code stdout}, stderr to {@code stderr} (may be the same file). */
    Output runCapturing(List<String> command, Path stdout, Path stderr) {
        var builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        if (stdout.equals(stderr)) builder.redirectErrorStream(true).redirectOutput(stdout.toFile());
        else builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CompileException("cannot run " + command.getFirst() + ": " + e.getMessage(), "");
        }
        try {
            if (!process.waitFor(CLANG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                throw new CompileException(command.getFirst() + " did not finish within " + CLANG_TIMEOUT.toSeconds()
                        + " s and was killed", "");
            }
            String err = Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
            return new Output(process.exitValue(), err);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CompileException("interrupted while waiting for " + command.getFirst(), "");
        } catch (IOException e) {
            throw new CompileException("cannot read the output of " + command.getFirst() + ": " + e, "");
        }
    }

    // ---- files ----

    static Path privateDirectory(Path dir) {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return dir;
        } catch (IOException e) {
            throw new CompileException("cannot create " + dir + ": " + e, "");
        }
    }

    /** Writes to a temporary name and renames, so concurrent compiles see a whole file or none. */
    static void writeAtomically(Path file, byte[] bytes) {
        try {
            privateDirectory(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), ".tmp-", "");
            Files.write(temp, bytes);
            move(temp, file);
        } catch (IOException e) {
            throw new CompileException("cannot write " + file + ": " + e, "");
        }
    }

    private static void move(Path from, Path to) {
        try {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new CompileException("cannot move " + from + " to " + to + ": " + e, "");
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) return;
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // A leftover temporary directory costs disk space only; the compile's result stands.
            System.getLogger(Prelude.class.getName()).log(System.Logger.Level.DEBUG, "cannot delete " + root, e);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
