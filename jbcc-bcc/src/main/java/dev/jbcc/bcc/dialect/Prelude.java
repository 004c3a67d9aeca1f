package dev.jbcc.bcc.dialect;

import dev.jbcc.errors.CompileException;
import dev.jbcc.errors.FileAccessException;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.internal.CompileCache;
import dev.jbcc.compile.internal.ProcessRunner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
    /** jbcc's {@code <bcc/proto.h>}: bcc's packet headers, served as text (not precompiled) so the AST shows their fields. */
    static final String PROTO_RESOURCE = "proto.h";
    private static final String PROTO_INCLUDE = "bcc/proto.h";
    static final String HEADER_NAME = "jbcc_bcc_prelude.h";
    /** First path components of the kernel's header tree; such includes are served by stubs. */
    private static final Set<String> KERNEL_HEADER_ROOTS = Set.of("linux", "uapi", "asm", "asm-generic", "net", "bcc",
            "generated", "crypto", "scsi", "xen", "keys", "rdma", "sound", "vdso", "clocksource", "kunit", "trace",
            "drm", "media", "misc", "video", "soc", "dt-bindings", "acpi", "ras", "target", "math-emu", "pcmcia");
    private static final Duration CLANG_TIMEOUT = Duration.ofMinutes(2);

    private final CompileCache cache;
    private final Path clang;
    private final Path directory;
    private final Path includeDirectory;
    private final Path pch;
    private final Path kernelHeaders;
    private final List<String> baseFlags;
    private final String identity;

    private Prelude(CompileCache cache, Path clang, Path directory, Path kernelHeaders, List<String> baseFlags) {
        this.cache = cache;
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
            key = CompileCache.sha256Hex(String.join("\0", prelude, resource(PROTO_RESOURCE), compiler.clang().executable().toString(), compiler.clang().version(),
                    vmlinux.toString(), Long.toString(Files.size(vmlinux)),
                    Files.getLastModifiedTime(vmlinux).toString(), String.join(" ", ClangCompiler.baseFlags())));
        } catch (IOException e) {
            throw FileAccessException.of("read", vmlinux, e);
        }
        CompileCache cache = CompileCache.open(cacheRoot);
        Path dir = cache.subdirectory("bcc", key.substring(0, 32));
        var p = new Prelude(cache, compiler.clang().executable(), dir, kernelHeaders, ClangCompiler.baseFlags());
        p.ensureBuilt(prelude);
        return p;
    }

    /** What the prelude's content depends on (its cache directory's name). */
    String identity() {
        return identity;
    }

    RewriteCache rewriteCache() {
        return new RewriteCache(CompileCache.createPrivateDirectories(directory.resolve("rewrites")));
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

    /** A private temporary directory in the compile cache; delete it with {@link CompileCache#deleteQuietly}. */
    Path temporaryDirectory() {
        return cache.temporaryDirectory("ast-");
    }

    /** Flags that make kernel includes resolve to the prelude and load it precompiled. */
    List<String> includeFlags() {
        return List.of("-I", includeDirectory.toString(), "-include-pch", pch.toString());
    }

    /** A header with {@code text}, written once under a name derived from its content. */
    Path generatedHeader(String kind, String text) {
        Path file = directory.resolve("generated").resolve(kind + "-" + CompileCache.sha256Hex(text).substring(0, 32) + ".h");
        if (!Files.isRegularFile(file)) write(file, text);
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
            if (name.equals(PROTO_INCLUDE)) text += resource(PROTO_RESOURCE);
            write(stub, text);
        }
    }

    private void ensureBuilt(String prelude) {
        Path header = includeDirectory.resolve(HEADER_NAME);
        if (!Files.isRegularFile(header)) write(header, prelude);
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
            CompileCache.moveIntoPlace(out, pch);
        } catch (IOException e) {
            throw FileAccessException.of("move the precompiled prelude to", pch, e);
        } finally {
            CompileCache.deleteQuietly(temp);
        }
    }

    /** Runs clang with stdout and stderr into {@code log}; returns the log (the exit status is the caller's to judge). */
    String run(List<String> command, Path log) {
        return runCapturing(command, log, log).output();
    }

    /** Runs a command; stdout goes to {@code stdout}, stderr to {@code stderr} (may be the same file), the result holds stderr. */
    ProcessRunner.Result runCapturing(List<String> command, Path stdout, Path stderr) {
        return ProcessRunner.run(command, Path.of("").toAbsolutePath(), null, stdout, stderr, CLANG_TIMEOUT);
    }

    /** Writes {@code text} to {@code file} atomically, creating private parent directories. */
    private static void write(Path file, String text) {
        CompileCache.createPrivateDirectories(file.getParent());
        CompileCache.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
