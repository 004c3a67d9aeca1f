package dev.jbcc.compile;

import dev.jbcc.errors.CompileException;
import dev.jbcc.errors.FileAccessException;
import dev.jbcc.compile.internal.CompileCache;
import dev.jbcc.compile.internal.ProcessRunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compiles C to BPF ELF objects with clang ({@code -target bpf -O2 -g}), the way libbpf-based
 * projects do, with the running kernel's vmlinux.h and libbpf's BPF-side headers
 * ({@code <bpf/bpf_helpers.h>}, from libbpf-dev) on the include path.
 *
 * <p>Results are cached on disk under a key made of everything that decides the object: source
 * text and name, flags, compiler binary and version, working directory, and the kernel headers'
 * identity; every other header the compile read is recorded with its hash and checked on lookup.
 * A cache hit runs no process.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class ClangCompiler {

    /**
     * How to compile. Create with {@link #defaults()} and the {@code withX} copiers.
     *
     * @param clang          the compiler, or null to {@linkplain Clang#discover() discover} one
     * @param cacheDirectory the cache, or null for {@code $XDG_CACHE_HOME/jbcc} ({@code ~/.cache/jbcc})
     * @param useCache       whether to look up and store compiled objects (generated headers and
     *                       temporary files use the cache directory either way)
     * @param kernelHeaders  where vmlinux.h comes from
     * @param timeout        how long one clang run may take before it is killed
     */
    public record Options(Clang clang, Path cacheDirectory, boolean useCache, KernelHeaders kernelHeaders,
                          Duration timeout) {
        public Options {
            Objects.requireNonNull(kernelHeaders, "kernelHeaders");
            Objects.requireNonNull(timeout, "timeout");
        }

        /** Discovered clang, default cache, the running kernel's vmlinux.h, 2 minutes per compile. */
        public static Options defaults() {
            return new Options(null, null, true, KernelHeaders.runningKernel(), Duration.ofMinutes(2));
        }

        public Options withClang(Clang clang) {
            return new Options(clang, cacheDirectory, useCache, kernelHeaders, timeout);
        }

        public Options withCacheDirectory(Path cacheDirectory) {
            return new Options(clang, cacheDirectory, useCache, kernelHeaders, timeout);
        }

        public Options withUseCache(boolean useCache) {
            return new Options(clang, cacheDirectory, useCache, kernelHeaders, timeout);
        }

        public Options withKernelHeaders(KernelHeaders kernelHeaders) {
            return new Options(clang, cacheDirectory, useCache, kernelHeaders, timeout);
        }

        public Options withTimeout(Duration timeout) {
            return new Options(clang, cacheDirectory, useCache, kernelHeaders, timeout);
        }
    }

    /** Bumped whenever the way objects are built changes, so old cache entries stop matching. */
    private static final String CACHE_FORMAT = "jbcc-clang-2+user-source";
    /** Target-independent code generation flags; user flags come after and may override them. */
    /**
     * The source is embedded in the debug info (DWARF 5) because clang reads the C text of BTF
     * line_info from there, or else from the named file, which does not exist for sources given
     * as text; without it the verifier's messages would have line numbers but no source lines.
     */
    private static final List<String> BASE_FLAGS = List.of(
            "-target", "bpf", "-O2", "-g", "-gdwarf-5", "-gembed-source",
            "-D__TARGET_ARCH_" + targetArch(), "-fno-color-diagnostics");
    /** Names the make rule in the dependency file, so the file names after it are easy to find. */
    private static final String DEP_TARGET = "jbcc-object";

    private final Options options;
    private final Clang clang;
    private final CompileCache cache;
    private final AtomicInteger clangRuns = new AtomicInteger();

    private ClangCompiler(Options options, Clang clang, CompileCache cache) {
        this.options = options;
        this.clang = clang;
        this.cache = cache;
    }

    /** A compiler with {@link Options#defaults()}. */
    public static ClangCompiler create() {
        return create(Options.defaults());
    }

    /**
     * @throws CompileException when no suitable clang is found (naming the package to install) or
     *                          the cache directory is unusable
     */
    public static ClangCompiler create(Options options) {
        CompileCache cache = CompileCache.open(
                options.cacheDirectory() != null ? options.cacheDirectory() : CompileCache.defaultDirectory());
        Clang clang = options.clang() != null ? options.clang()
                : Clang.discover(Clang.searchPath(), cache.subdirectory("clang"));
        cache.pruneTemporaries(Duration.ofHours(1));
        return new ClangCompiler(options, clang, cache);
    }

    /** The default cache directory: {@code $XDG_CACHE_HOME/jbcc}, else {@code ~/.cache/jbcc}. */
    public static Path defaultCacheDirectory() {
        return CompileCache.defaultDirectory();
    }

    /**
     * Empties a cache directory ({@code jbcc cache clean}): compiled objects, generated headers,
     * remembered clang versions. Returns the bytes freed. A missing directory is already clean.
     *
     * @param directory the cache, or null for {@link #defaultCacheDirectory()}
     */
    public static long cleanCache(Path directory) {
        Path dir = directory != null ? directory : defaultCacheDirectory();
        if (!Files.isDirectory(dir)) return 0;
        return CompileCache.open(dir).clean();
    }

    public Clang clang() {
        return clang;
    }

    public Options options() {
        return options;
    }

    /**
     * The directory compiles put on the include path for {@code vmlinux.h} (generated on first use),
     * or null when compiling without kernel headers. Front-ends that run clang themselves on the
     * same source (e.g. to read its AST) use it to see the same types.
     */
    public Path kernelHeaderDirectory() {
        return options.kernelHeaders().resolve(cache).directory();
    }

    /** The flags every compile starts with (target, optimisation, debug info), before user flags. */
    public static List<String> baseFlags() {
        return BASE_FLAGS;
    }

    /**
     * What every object this compiler makes depends on besides the source, its flags and the
     * working directory: the cache format, the clang binary and its version, and the kernel
     * headers' identity (generating vmlinux.h on first use). Front-ends that cache their own
     * results of a compile (jbcc-bcc's whole-program cache) put it in their keys, so that a new
     * clang or kernel misses there too.
     *
     * @return empty when objects also depend on files the identity does not pin down (kernel
     *         headers from a directory given by path, whose files this compiler's own cache checks
     *         one by one): such results are not to be cached on this identity alone
     */
    public Optional<String> cacheIdentity() {
        KernelHeaders.Resolved headers = options.kernelHeaders().resolve(cache);
        return headers.directory() == null || headers.contentIsKeyed() ? Optional.of(cacheIdentity(headers)) : Optional.empty();
    }

    private String cacheIdentity(KernelHeaders.Resolved headers) {
        return String.join("\0", CACHE_FORMAT, clang.executable().toAbsolutePath().toString(), clang.version(),
                headers.identity());
    }

    /** Compiles source text that has no file; diagnostics call it {@code <source>}. */
    public CompiledObject compile(String text) {
        return compile(Source.of(text), List.of());
    }

    /** Compiles one translation unit without extra flags. */
    public CompiledObject compile(Source source) {
        return compile(source, List.of());
    }

    /** Compiles a C file; diagnostics and debug info name it as given. */
    public CompiledObject compile(Path file, List<String> cflags) {
        return compile(Source.read(file), cflags);
    }

    /**
     * Compiles one translation unit.
     *
     * @param cflags extra clang arguments, e.g. {@code -DNAME=1}, {@code -I dir}, {@code -Wall}
     * @throws CompileException with the first errors (file:line) as its message and clang's whole
     *                          output as {@link CompileException#diagnostics()}
     */
    public CompiledObject compile(Source source, List<String> cflags) {
        List<String> userFlags = List.copyOf(cflags);
        KernelHeaders.Resolved headers = options.kernelHeaders().resolve(cache);
        Path workingDir = Path.of("").toAbsolutePath();

        var args = new ArrayList<>(BASE_FLAGS);
        if (source.includeDirectory() != null) args.addAll(List.of("-iquote", source.includeDirectory().toString()));
        args.addAll(userFlags);
        // After the user's -I, so a directory of their own can shadow vmlinux.h.
        if (headers.directory() != null) args.addAll(List.of("-I", headers.directory().toString()));

        String key = new CompileCache.KeyBuilder()
                .add(cacheIdentity(headers))
                .add(workingDir.toString())
                .add(String.join("\0", args))
                .add(source.name()).add(source.text())
                .hex();
        if (options.useCache()) {
            Optional<CompileCache.Entry> hit = cache.lookup(key);
            if (hit.isPresent()) {
                var inputs = hit.get().dependencies().stream().map(d -> Path.of(d.path())).toList();
                return new CompiledObject(source.name(), hit.get().object(), hit.get().warnings(), true, inputs);
            }
        }

        Path temp = cache.temporaryDirectory("cc-");
        try {
            // The source is compiled as a real file under the user's file name (not from stdin with
            // a #line directive, which would shift the source text clang embeds for BTF line_info).
            Path sourceDir = Files.createDirectory(temp.resolve("src"));
            Path input = sourceDir.resolve(fileNameFor(source.name()));
            Path object = temp.resolve("output.o");
            Path depFile = temp.resolve("output.d");
            Path log = temp.resolve("clang.log");
            Files.writeString(input, source.text(), StandardCharsets.UTF_8);

            // Two runs, as one `clang -O2` does in-process: the front end writes the unoptimised IR,
            // then the IR is optimised and compiled. In between, the debug info keeps the embedded
            // text of the files that hold code only: -gembed-source embeds every file's text, and
            // vmlinux.h alone would make each object ~3 MB instead of a few KB.
            Path ir = temp.resolve("output.ll");
            var frontEnd = new ArrayList<String>();
            frontEnd.add(clang.executable().toString());
            frontEnd.addAll(args);
            frontEnd.addAll(List.of("-fdebug-prefix-map=" + sourceDir + "/=", "-Xclang", "-disable-llvm-passes",
                    "-S", "-emit-llvm", "-x", "c", input.toString(),
                    "-o", ir.toString(), "-MD", "-MF", depFile.toString(), "-MT", DEP_TARGET));
            clangRuns.incrementAndGet();
            var result = ProcessRunner.run(frontEnd, workingDir, null, log, options.timeout());
            String output = result.output();
            if (result.exitCode() == 0 && Files.isRegularFile(ir)) {
                Files.writeString(ir, DebugSources.keepOnly(Files.readString(ir, StandardCharsets.UTF_8),
                        input.getFileName().toString()), StandardCharsets.UTF_8);
                var backEnd = new ArrayList<String>();
                backEnd.add(clang.executable().toString());
                backEnd.addAll(args);
                // The preprocessor's flags mean nothing to IR: not worth a warning.
                backEnd.addAll(List.of("-Wno-unused-command-line-argument", "-c", "-x", "ir", ir.toString(),
                        "-o", object.toString()));
                result = ProcessRunner.run(backEnd, workingDir, null, log, options.timeout());
                output += result.output().replace(ir.toString(), source.name());
            }
            output = output.replace(input.toString(), source.name());
            if (result.exitCode() != 0 || !Files.isRegularFile(object)) {
                throw new CompileException(Diagnostics.summary(output, result.exitCode()), output);
            }
            byte[] elf = Files.readAllBytes(object);
            List<Path> inputs = inputs(ProcessRunner.readText(depFile), workingDir, headers).stream()
                    .filter(p -> !p.startsWith(sourceDir)).toList();
            if (options.useCache()) {
                var deps = new ArrayList<CompileCache.Dependency>();
                for (Path p : inputs) deps.add(CompileCache.Dependency.of(p));
                cache.store(key, new CompileCache.Entry(elf, output, deps));
            }
            return new CompiledObject(source.name(), elf, output, false, inputs);
        } catch (IOException e) {
            throw FileAccessException.of("compile " + source.name() + " in", temp, e);
        } finally {
            CompileCache.deleteQuietly(temp);
        }
    }

    /** How many times this instance has run clang; tests use it to see cache hits. */
    int clangRuns() {
        return clangRuns.get();
    }

    CompileCache cache() {
        return cache;
    }

    /**
     * The files a compile read, from clang's make-style dependency file, except those whose
     * content the key already fixes (generated kernel headers).
     */
    static List<Path> inputs(String depFile, Path workingDir, KernelHeaders.Resolved headers) {
        var files = new ArrayList<Path>();
        for (String name : parseDependencyFile(depFile)) {
            Path file = workingDir.resolve(name).normalize();
            if (headers.contentIsKeyed() && file.startsWith(headers.directory())) continue;
            files.add(file);
        }
        return files;
    }

    /** The prerequisites of the one rule in a make dependency file (backslash escapes, continuations). */
    static List<String> parseDependencyFile(String text) {
        String body = text.replace("\\\r\n", " ").replace("\\\n", " ");
        int colon = body.indexOf(DEP_TARGET + ":");
        if (colon >= 0) body = body.substring(colon + DEP_TARGET.length() + 1);
        var names = new ArrayList<String>();
        var current = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length() && (body.charAt(i + 1) == ' ' || body.charAt(i + 1) == '#')) {
                current.append(body.charAt(++i));
            } else if (c == '$' && i + 1 < body.length() && body.charAt(i + 1) == '$') {
                current.append('$');
                i++;
            } else if (Character.isWhitespace(c)) {
                if (!current.isEmpty()) names.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) names.add(current.toString());
        return names;
    }

    /** The user's file name when it is a plain one, else "source.c". */
    static String fileNameFor(String sourceName) {
        String base = sourceName.substring(sourceName.lastIndexOf('/') + 1);
        return base.matches("[A-Za-z0-9_.+-]+") && !base.startsWith(".") ? base : "source.c";
    }

    /** The kernel's name for this machine's architecture, as bpf_tracing.h expects it. */
    static String targetArch() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86";
            case "aarch64" -> "arm64";
            case "s390x" -> "s390";
            case "ppc64le", "ppc64" -> "powerpc";
            case "riscv64" -> "riscv";
            case "loongarch64" -> "loongarch";
            case "arm" -> "arm";
            default -> "x86";
        };
    }

    @Override
    public String toString() {
        return "ClangCompiler[" + clang.executable() + ", " + clang.version() + ", cache " + cache.root() + "]";
    }
}
