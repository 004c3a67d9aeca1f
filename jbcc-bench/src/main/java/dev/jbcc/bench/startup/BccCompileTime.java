package dev.jbcc.bench.startup;

import dev.jbcc.bcc.dialect.BccCompiler;
import dev.jbcc.bcc.dialect.BccProgram;
import dev.jbcc.compile.ClangCompiler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One bcc-dialect compile in a fresh JVM, timed around {@link BccCompiler#compile(Path, List)} only
 * (JVM start is not included). The cache is jbcc's default, {@code $XDG_CACHE_HOME/jbcc}: the
 * section script points XDG_CACHE_HOME at an empty directory for a cold compile and reuses it for
 * warm ones.
 *
 * <pre>
 *   BccCompileTime PROG.c [FLOOR_DIR] [-DFLAG...]
 * </pre>
 * prints {@code total_ms rewrite_ms ast_dump_ms compile_ms cached}. With FLOOR_DIR it also writes
 * there what the floor measurement needs: {@code rewritten.c} (the C that jbcc hands to clang) and
 * {@code clang.args}, one argument per line: the same flags jbcc's compile used (target, -O2 -g,
 * the prelude's include directory and precompiled header, vmlinux.h's directory, the dialect's
 * warning flags), so that clang alone does exactly the work jbcc's compile step does.
 */
public final class BccCompileTime {
    private BccCompileTime() {
    }

    public static void main(String[] args) throws IOException {
        Path source = Path.of(args[0]);
        Path floorDir = args.length > 1 && !args[1].startsWith("-D") ? Path.of(args[1]) : null;
        List<String> cflags = new ArrayList<>();
        for (int i = floorDir == null ? 1 : 2; i < args.length; i++) cflags.add(args[i]);

        long start = System.nanoTime();
        BccCompiler compiler = BccCompiler.create();
        BccProgram program = compiler.compile(source, cflags);
        long end = System.nanoTime();

        var t = program.timings();
        System.out.printf("%.1f %.1f %.1f %.1f %s%n", (end - start) / 1e6, t.rewrite().toNanos() / 1e6,
                t.astDump().toNanos() / 1e6, t.compile().toNanos() / 1e6, program.object().cached());
        if (floorDir != null) writeFloor(floorDir, compiler.clangCompiler(), program, cflags);
    }

    private static void writeFloor(Path dir, ClangCompiler clang, BccProgram program, List<String> cflags) throws IOException {
        Files.createDirectories(dir);
        Path rewritten = Files.writeString(dir.resolve("rewritten.c"), program.rewritten());
        // The prelude (its include directory and precompiled header) lives in the cache under bcc/<key>/.
        Path bccCache = ClangCompiler.defaultCacheDirectory().resolve("bcc");
        Path prelude;
        try (Stream<Path> dirs = Files.list(bccCache)) {
            prelude = dirs.filter(d -> Files.isRegularFile(d.resolve("prelude.pch"))).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no bcc prelude (prelude.pch) under " + bccCache));
        }
        var command = new ArrayList<String>();
        command.add(clang.clang().executable().toString());
        command.addAll(ClangCompiler.baseFlags());
        command.addAll(cflags);
        command.addAll(List.of("-I", prelude.resolve("include").toString(), "-include-pch", prelude.resolve("prelude.pch").toString()));
        command.addAll(dialectFlags());
        command.addAll(List.of("-I", clang.kernelHeaderDirectory().toString()));
        command.addAll(List.of("-c", rewritten.toString(), "-o", dir.resolve("rewritten.o").toString()));
        Files.write(dir.resolve("clang.args"), command);
    }

    /** BccCompiler's warning flags for bcc's older C (package-private there; the same list here). */
    private static List<String> dialectFlags() {
        return List.of("-Wno-unused-value", "-Wno-pointer-sign", "-Wno-compare-distinct-pointer-types",
                "-Wno-gnu-variable-sized-type-not-at-end", "-Wno-address-of-packed-member", "-Wno-unknown-warning-option",
                "-Wno-tautological-compare", "-Wno-incompatible-pointer-types-discards-qualifiers", "-Wno-error=int-conversion",
                "-Wno-error=incompatible-pointer-types", "-Wno-gnu-statement-expression-from-macro-expansion");
    }
}
