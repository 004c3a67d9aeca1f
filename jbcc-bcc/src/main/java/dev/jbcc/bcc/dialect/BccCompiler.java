package dev.jbcc.bcc.dialect;

import dev.jbcc.errors.CompileException;
import dev.jbcc.errors.FileAccessException;
import dev.jbcc.errors.FormatException;
import dev.jbcc.spec.ProgramType;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.CompiledObject;
import dev.jbcc.compile.Source;
import dev.jbcc.compile.internal.CompileCache;
import dev.jbcc.compile.internal.ProcessRunner;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.MapSpec;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.spec.ProgramSpec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles bcc's C dialect, as bcc users write it, into a BPF object jbcc loads, without kernel
 * headers: kernel includes resolve to the running kernel's BTF (vmlinux.h) plus jbcc's prelude,
 * and the program is rewritten the way bcc rewrites it (tables, methods, probe arguments, implicit
 * kernel reads, tracepoint structs, {@code bpf_trace_printk}) before {@link ClangCompiler} compiles
 * it, cached.
 *
 * <p>A program compiled before (same text, flags and USDT readers, same clang and kernel, same
 * jbcc, its own headers unchanged) comes back from a whole-program cache ({@link ProgramCache})
 * without the prelude, the passes or clang: only its object is parsed again.
 *
 * <p>The rewrite keeps every line where the user wrote it, so clang's diagnostics and the
 * verifier's messages (through BTF line_info) name the user's lines.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class BccCompiler {
    /** bcc's C is older than clang 19's defaults: these are warnings or silence there, not errors here. */
    static final List<String> DIALECT_FLAGS = List.of("-Wno-unused-value", "-Wno-pointer-sign",
            "-Wno-compare-distinct-pointer-types", "-Wno-gnu-variable-sized-type-not-at-end",
            "-Wno-address-of-packed-member", "-Wno-unknown-warning-option", "-Wno-tautological-compare",
            "-Wno-incompatible-pointer-types-discards-qualifiers", "-Wno-error=int-conversion",
            "-Wno-error=incompatible-pointer-types", "-Wno-gnu-statement-expression-from-macro-expansion");
    private static final Pattern CLANG_ERROR = Pattern.compile("^(.*?):(\\d+):(\\d+): (?:fatal )?error: (.*)$", Pattern.MULTILINE);

    private final ClangCompiler compiler;
    private final Path cacheRoot;
    private final List<Path> tracefsRoots;
    private volatile Prelude prelude;
    private final java.util.concurrent.atomic.AtomicInteger passRuns = new java.util.concurrent.atomic.AtomicInteger();

    private BccCompiler(ClangCompiler compiler, List<Path> tracefsRoots) {
        this.compiler = compiler;
        Path dir = compiler.options().cacheDirectory();
        this.cacheRoot = dir != null ? dir.toAbsolutePath() : ClangCompiler.defaultCacheDirectory();
        this.tracefsRoots = List.copyOf(tracefsRoots);
    }

    /** A compiler on {@link ClangCompiler#create()}: discovered clang, default cache, the running kernel's types. */
    public static BccCompiler create() {
        return create(ClangCompiler.create());
    }

    public static BccCompiler create(ClangCompiler compiler) {
        return new BccCompiler(compiler, TracepointFormat.TRACEFS_ROOTS);
    }

    /** A copy that reads tracepoint formats under other tracefs mount points (first match wins). */
    public BccCompiler withTracefsRoots(List<Path> roots) {
        return new BccCompiler(compiler, roots);
    }

    public ClangCompiler clangCompiler() {
        return compiler;
    }

    /** Compiles program text that has no file; it is called {@code name} in messages. */
    public BccProgram compile(String name, String text, List<String> cflags) {
        return compile(Source.of(name, text), cflags);
    }

    /** Compiles a bcc program file. */
    public BccProgram compile(Path file, List<String> cflags) {
        return compile(Source.read(file), cflags);
    }

    /**
     * Rewrites and compiles a bcc program.
     *
     * @param cflags extra clang flags, as bcc's {@code cflags} (e.g. {@code -DMAX=10})
     * @throws CompileException naming the user's file and line: syntax errors, unknown table methods,
     *                          writes through kernel pointers, missing tracepoints
     */
    public BccProgram compile(Source source, List<String> cflags) {
        return compile(source, cflags, List.of());
    }

    /**
     * Rewrites and compiles a bcc program whose functions read USDT probe arguments (bcc's
     * {@code usdt_contexts}): in each bound function, {@code bpf_usdt_readarg(N, ctx, &v)} and
     * {@code bpf_usdt_readarg_p(N, ctx, buf, len)} read argument N of its probe.
     *
     * @throws CompileException also for {@code bpf_usdt_readarg} in a function no probe is bound to,
     *                          or an argument number the probe does not have
     */
    public BccProgram compile(Source source, List<String> cflags, List<UsdtBinding> usdt) {
        List<String> userFlags = List.copyOf(cflags);
        try {
            return rewriteAndCompile(source, userFlags, usdt);
        } catch (CompileException e) {
            CompileException asWritten = syntaxErrors(source, userFlags, usdt);
            if (asWritten == null) throw e;
            throw asWritten;
        }
    }

    private BccProgram rewriteAndCompile(Source source, List<String> userFlags, List<UsdtBinding> usdt) {
        long start = System.nanoTime();
        var seen = new java.util.HashMap<String, UsdtBinding>();
        for (UsdtBinding b : usdt) {
            UsdtBinding before = seen.putIfAbsent(b.function(), b);
            if (before != null) {
                throw new IllegalArgumentException("function " + b.function() + " is enabled for two USDT probes, "
                        + before.probe().qualifiedName() + " and " + b.probe().qualifiedName()
                        + ": bpf_usdt_readarg could not tell whose arguments to read; use one function per probe");
            }
        }

        String programKey = programKey(source, userFlags, usdt);
        if (programKey != null) {
            Optional<ProgramCache.Entry> hit = programCache().lookup(programKey);
            if (hit.isPresent()) return fromCache(source, hit.get(), start);
        }

        passRuns.incrementAndGet();
        Prelude p = prelude();
        java.util.BitSet inactive = Conditionals.present(source.text())
                ? inactiveLines(p, source, clangFlags(p, userFlags, usdt, source.text())) : new java.util.BitSet();
        PrePass.Result pre = PrePass.run(source.name(), source.text(),
                (category, event) -> TracepointFormat.read(tracefsRoots, category, event), pageSize(),
                UsdtHeader.argumentCounts(usdt), inactive);
        var ownHeaders = new ArrayList<String>();
        p.ensureStubs(kernelIncludes(pre.includes(), source.includeDirectory(), ownHeaders));

        List<String> flags = clangFlags(p, userFlags, usdt, pre.text());

        var keyParts = new ArrayList<>(List.of(p.identity(), source.name(), pre.text(), String.join("\0", flags),
                String.valueOf(source.includeDirectory()), Path.of("").toAbsolutePath().toString()));
        keyParts.addAll(ownHeaders);
        String key = RewriteCache.key(keyParts);
        RewriteCache cache = p.rewriteCache();
        long astStart = System.nanoTime();
        AstPass.Result rewritten = compiler.options().useCache() ? cache.lookup(key) : null;
        long astEnd = astStart;
        if (rewritten == null) {
            ClangAst.Node ast = astDump(p, source, pre.text(), flags);
            astEnd = System.nanoTime();
            rewritten = AstPass.run(source.name(), source.text(), pre.text(), ast, pre.tables());
            if (compiler.options().useCache()) cache.store(key, rewritten);
        }
        long rewriteEnd = System.nanoTime();

        CompiledObject object;
        try {
            object = compiler.compile(new Source(source.name(), rewritten.text(), source.includeDirectory()), flags);
        } catch (CompileException e) {
            if (e.diagnostics().isBlank()) throw e;
            throw userError(source, rewritten.text(), e.diagnostics(), 1);
        }
        CollectionSpec spec = read(source, object);
        long end = System.nanoTime();

        List<TableDecl> tables = pre.tables().values().stream().sorted(java.util.Comparator.comparingInt(TableDecl::line)).toList();
        if (programKey != null) {
            var inputs = new ArrayList<>(object.inputs());
            for (TracepointFormat tp : pre.tracepoints()) {
                Path format = TracepointFormat.formatFile(tracefsRoots, tp.category(), tp.event());
                if (format != null) inputs.add(format);
            }
            programCache().store(programKey, new ProgramCache.Entry(rewritten, tables, object.elf(), object.warnings()), inputs);
        }
        var timings = new BccProgram.Timings(Duration.ofNanos(rewriteEnd - start), Duration.ofNanos(astEnd - astStart),
                Duration.ofNanos(end - rewriteEnd));
        return new BccProgram(source.name(), source.text(), rewritten.text(), object, spec,
                functions(rewritten, spec), tables(tables, rewritten, spec), SourceMap.of(source.text()), timings);
    }

    /**
     * The whole-program cache's key ({@link ProgramCache}), or null when results are not cached:
     * caching is off, or the compiler's objects depend on headers its identity does not pin down.
     */
    private String programKey(Source source, List<String> userFlags, List<UsdtBinding> usdt) {
        if (!compiler.options().useCache()) return null;
        Optional<String> compilerIdentity = compiler.cacheIdentity();
        if (compilerIdentity.isEmpty()) return null;
        return ProgramCache.key(List.of(compilerIdentity.get(), source.name(), source.text(),
                String.valueOf(source.includeDirectory()), Path.of("").toAbsolutePath().toString(),
                String.join("\0", userFlags), usdt.isEmpty() ? "" : UsdtHeader.text(usdt),
                UsdtHeader.argumentCounts(usdt).toString(), Long.toString(pageSize()), tracefsRoots.toString(),
                ModuleTypes.identity()));
    }

    /** How many compiles of this instance ran the passes (missed the whole-program cache); tests use it to see hits. */
    int passRuns() {
        return passRuns.get();
    }

    private ProgramCache programCache() {
        return new ProgramCache(CompileCache.open(cacheRoot));
    }

    /** A program from the whole-program cache: only its object is parsed again. */
    private static BccProgram fromCache(Source source, ProgramCache.Entry entry, long start) {
        var object = new CompiledObject(source.name(), entry.elf(), entry.warnings(), true);
        CollectionSpec spec = read(source, object);
        var timings = new BccProgram.Timings(Duration.ZERO, Duration.ZERO, Duration.ofNanos(System.nanoTime() - start));
        return new BccProgram(source.name(), source.text(), entry.rewrite().text(), object, spec,
                functions(entry.rewrite(), spec), tables(entry.tables(), entry.rewrite(), spec), SourceMap.of(source.text()),
                timings);
    }

    private static CollectionSpec read(Source source, CompiledObject object) {
        try {
            return ObjectReader.read(object.elf(), source.name());
        } catch (FormatException e) {
            throw new CompileException("the object compiled from " + source.name() + " is not readable: " + e.getMessage(), "");
        }
    }

    /** The flags clang gets for a program, after the base flags. */
    private static List<String> clangFlags(Prelude p, List<String> userFlags, List<UsdtBinding> usdt, String programText) {
        var flags = new ArrayList<>(userFlags);
        flags.addAll(p.includeFlags());
        flags.addAll(List.of("-include", p.generatedHeader("compat", KernelCompat.header(programText)).toString()));
        String modules = ModuleTypes.header(programText);
        if (!modules.isEmpty()) flags.addAll(List.of("-include", p.generatedHeader("modules", modules).toString()));
        // Named by content: the flags, and so both cache keys, change exactly when the readers do.
        if (!usdt.isEmpty()) flags.addAll(List.of("-include", p.generatedHeader("usdt", UsdtHeader.text(usdt)).toString()));
        flags.addAll(DIALECT_FLAGS);
        return flags;
    }

    /**
     * The LLVM IR clang makes of a compiled program's rewritten C, with the flags it was compiled
     * with (bcc's {@code DEBUG_LLVM_IR}). Runs clang once more; not cached.
     */
    public String llvmIr(BccProgram program, Path includeDirectory, List<String> cflags, List<UsdtBinding> usdt) {
        Prelude p = prelude();
        Path temp = p.temporaryDirectory();
        try {
            Path dir = Files.createDirectory(temp.resolve("src"));
            Path file = dir.resolve(fileNameFor(program.sourceName()));
            Files.writeString(file, program.rewritten(), StandardCharsets.UTF_8);
            var command = clangCommand(p, includeDirectory, clangFlags(p, List.copyOf(cflags), usdt, program.rewritten()));
            Path out = temp.resolve("program.ll");
            command.addAll(List.of("-S", "-emit-llvm", "-o", out.toString(), "-x", "c", file.toString()));
            String log = p.run(command, temp.resolve("clang.log"));
            if (!Files.isRegularFile(out)) throw new CompileException("clang made no LLVM IR of " + program.sourceName() + ":\n" + log, log);
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw FileAccessException.of("emit LLVM IR of " + program.sourceName() + " in", temp, e);
        } finally {
            CompileCache.deleteQuietly(temp);
        }
    }

    private Prelude prelude() {
        Prelude p = prelude;
        if (p == null) {
            synchronized (this) {
                p = prelude;
                if (p == null) prelude = p = Prelude.forCompiler(compiler, cacheRoot);
            }
        }
        return p;
    }

    // ---- the AST dump ----

    /** clang with the prelude's base flags, the program's directory for quoted includes, {@code flags} and vmlinux.h's directory. */
    private static List<String> clangCommand(Prelude p, Path includeDirectory, List<String> flags) {
        var command = new ArrayList<String>();
        command.add(p.clang().toString());
        command.addAll(p.baseFlags());
        if (includeDirectory != null) command.addAll(List.of("-iquote", includeDirectory.toString()));
        command.addAll(flags);
        command.addAll(List.of("-I", p.kernelHeaders().toString()));
        return command;
    }

    /**
     * The lines the program's conditionals leave out, from clang's preprocessor with the program's
     * flags ({@link Conditionals}); none if the text does not preprocess (the compile says why).
     */
    private java.util.BitSet inactiveLines(Prelude p, Source source, List<String> flags) {
        p.ensureStubs(kernelIncludes(Lexer.lex(source.text()).includes(), source.includeDirectory(), new ArrayList<>()));
        Path temp = p.temporaryDirectory();
        try {
            Path dir = Files.createDirectory(temp.resolve("src"));
            Path file = dir.resolve(fileNameFor(source.name()));
            Files.writeString(file, source.text(), StandardCharsets.UTF_8);
            var command = clangCommand(p, source.includeDirectory(), flags);
            command.addAll(List.of("-E", "-x", "c", file.toString()));
            Path out = temp.resolve("preprocessed.c");
            if (p.runCapturing(command, out, temp.resolve("clang.log")).exitCode() != 0) return new java.util.BitSet();
            return Conditionals.inactiveLines(source.text(), Files.readString(out, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw FileAccessException.of("preprocess " + source.name() + " in", temp, e);
        } finally {
            CompileCache.deleteQuietly(temp);
        }
    }

    private ClangAst.Node astDump(Prelude p, Source source, String text, List<String> flags) {
        Path temp = p.temporaryDirectory();
        try {
            Path dir = Files.createDirectory(temp.resolve("src"));
            Path file = dir.resolve(fileNameFor(source.name()));
            Files.writeString(file, text, StandardCharsets.UTF_8);
            var command = clangCommand(p, source.includeDirectory(), flags);
            command.addAll(List.of("-fsyntax-only", "-Xclang", "-ast-dump=json", "-x", "c", file.toString()));
            Path json = temp.resolve("ast.json");
            ProcessRunner.Result out = p.runCapturing(command, json, temp.resolve("clang.log"));
            String diagnostics = out.output().replace(file.toString(), source.name());
            if (out.exitCode() != 0) throw userError(source, text, diagnostics, out.exitCode());
            return ClangAst.parse(Files.readString(json, StandardCharsets.UTF_8), file.toString(), text);
        } catch (IOException e) {
            throw FileAccessException.of("dump the AST of " + source.name() + " in", temp, e);
        } finally {
            CompileCache.deleteQuietly(temp);
        }
    }

    /**
     * The syntax errors clang finds in the program as its user wrote it ({@link SyntaxCheck}), or
     * null if it finds none, or cannot run: then the rewrite's own error stands.
     */
    private CompileException syntaxErrors(Source source, List<String> userFlags, List<UsdtBinding> usdt) {
        try {
            Prelude p = prelude();
            p.ensureStubs(kernelIncludes(Lexer.lex(source.text()).includes(), source.includeDirectory(), new ArrayList<>()));
            var flags = new ArrayList<>(clangFlags(p, userFlags, usdt, source.text()));
            flags.addAll(List.of("-include", p.generatedHeader("syntax", SyntaxCheck.header()).toString()));
            Path temp = p.temporaryDirectory();
            try {
                Path file = Files.createDirectory(temp.resolve("src")).resolve(fileNameFor(source.name()));
                Files.writeString(file, source.text(), StandardCharsets.UTF_8);
                var command = clangCommand(p, source.includeDirectory(), flags);
                command.addAll(List.of("-fsyntax-only", "-fdiagnostics-show-category=name", "-x", "c", file.toString()));
                ProcessRunner.Result out = p.runCapturing(command, temp.resolve("clang.out"), temp.resolve("clang.log"));
                if (out.exitCode() == 0) return null;
                String errors = SyntaxCheck.parseErrors(out.output().replace(file.toString(), source.name()), source.name());
                return errors == null ? null : new CompileException(summary(errors, out.exitCode()), errors);
            } finally {
                CompileCache.deleteQuietly(temp);
            }
        } catch (IOException | RuntimeException e) {
            System.getLogger(BccCompiler.class.getName()).log(System.Logger.Level.DEBUG,
                    "no syntax check of " + source.name() + " as written", e);
            return null;
        }
    }

    /** clang's failure on the rewritten {@code text}, told at the user's lines and in the user's names. */
    private CompileException userError(Source source, String text, String diagnostics, int exitCode) {
        String mapped = UserDiagnostics.map(diagnostics, source.name(), source.text(), text, cacheRoot.toString());
        return new CompileException(summary(mapped, exitCode) + ModuleTypes.unresolvedHint(source.text(), mapped), mapped);
    }

    /** The first errors, file:line first, as clang printed them. */
    private static String summary(String diagnostics, int exitCode) {
        Matcher m = CLANG_ERROR.matcher(diagnostics);
        var lines = new ArrayList<String>();
        while (m.find() && lines.size() < 3) lines.add(m.group());
        if (lines.isEmpty()) return "clang failed (exit " + exitCode + "): " + diagnostics.strip().lines().findFirst().orElse("");
        return String.join("\n", lines);
    }

    /** The user's file name when it is a plain one (as ClangCompiler names the compiled file), else "source.c". */
    static String fileNameFor(String sourceName) {
        String base = sourceName.substring(sourceName.lastIndexOf('/') + 1);
        return base.matches("[A-Za-z0-9_.+-]+") && !base.startsWith(".") ? base : "source.c";
    }

    /** Kernel includes of the program and of its own headers (which may include kernel headers too). */
    private static Set<String> kernelIncludes(List<Lexer.Include> includes, Path includeDirectory, List<String> headerTexts) {
        var names = new LinkedHashSet<String>();
        var seen = new LinkedHashSet<Path>();
        var work = new ArrayList<>(includes);
        while (!work.isEmpty()) {
            Lexer.Include inc = work.removeLast();
            if (Prelude.isServed(inc.name())) {
                names.add(inc.name());
            } else if (!inc.angled() && includeDirectory != null) {
                Path header = includeDirectory.resolve(inc.name()).normalize();
                if (Files.isRegularFile(header) && seen.add(header)) {
                    try {
                        String headerText = Files.readString(header, StandardCharsets.UTF_8);
                        headerTexts.add(header + "\0" + headerText);
                        work.addAll(Lexer.lex(headerText).includes());
                    } catch (IOException e) {
                        continue; // unreadable: clang reports it with the include's line
                    }
                }
            }
        }
        return names;
    }

    // ---- metadata from the object ----

    private static List<BccFunction> functions(AstPass.Result rewritten, CollectionSpec spec) {
        var out = new ArrayList<BccFunction>();
        for (AstPass.Function f : rewritten.functions()) {
            ProgramSpec program = spec.programs().get(f.name());
            if (program == null) continue; // e.g. a function clang dropped; nothing to load
            ProgramType type = program.type();
            out.add(new BccFunction(f.name(), program.sectionName(), type, AutoAttach.of(f.name()), f.line()));
        }
        return out;
    }

    /** The tables, {@code declared} in declaration order, with what the object says of each. */
    private static Map<String, BccTable> tables(List<TableDecl> declared, AstPass.Result rewritten, CollectionSpec spec) {
        Btf btf = spec.btf();
        var out = new LinkedHashMap<String, BccTable>();
        for (TableDecl d : declared) {
            MapSpec m = spec.maps().get(d.name());
            if (m == null) {
                throw new CompileException("table " + d.name() + " (line " + d.line() + ") is missing from the compiled object", "");
            }
            var submissions = new ArrayList<BccTable.Submission>();
            for (AstPass.Submission s : rewritten.submissions()) {
                if (!s.table().equals(d.name())) continue;
                int typeId = 0;
                if (s.global() != null && btf != null) {
                    typeId = btf.find(s.global(), BtfType.Var.class).map(BtfType.Var::type).orElse(0);
                }
                submissions.add(new BccTable.Submission(s.line(), s.typeName(), typeId));
            }
            out.put(d.name(), new BccTable(d.name(), d.macro(), d.kind(), m.type(), d.keyType(), d.leafType(),
                    m.btfKeyType(), m.btfValueType(), m.maxEntries(), d.pinnedPath(), d.line(), submissions));
        }
        return out;
    }

    // ---- the page size (BPF_RINGBUF_OUTPUT counts pages) ----

    private static volatile long pageSize;

    /** AT_PAGESZ from the process's auxiliary vector; 4096 if it cannot be read. */
    static long pageSize() {
        long size = pageSize;
        if (size == 0) {
            size = 4096;
            try {
                ByteBuffer auxv = ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv"))).order(ByteOrder.nativeOrder());
                final long atPagesz = 6;
                while (auxv.remaining() >= 16) {
                    long type = auxv.getLong();
                    long value = auxv.getLong();
                    if (type == atPagesz) {
                        size = value;
                        break;
                    }
                    if (type == 0) break;
                }
            } catch (IOException e) {
                // Without /proc the common page size is the best guess; ring buffer sizes stay valid multiples.
                System.getLogger(BccCompiler.class.getName()).log(System.Logger.Level.DEBUG, "cannot read /proc/self/auxv", e);
            }
            pageSize = size;
        }
        return size;
    }
}
