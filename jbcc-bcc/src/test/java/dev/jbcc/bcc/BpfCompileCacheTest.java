package dev.jbcc.bcc;

import dev.jbcc.bcc.dialect.BccCompiler;
import dev.jbcc.bcc.dialect.BccProgram;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The public calls that compile a bcc program cold (a fresh cache directory: vmlinux.h, the
 * prelude's PCH, the rewrite and the object all made afresh) and warm (everything from the cache),
 * as the benchmark suite times them.
 */
@ExtendWith(FdLeakCheck.class)
class BpfCompileCacheTest {
    static final String TEXT = """
            #include <uapi/linux/bpf.h>
            BPF_ARRAY(packets, u64, 1);
            int count(struct xdp_md *ctx) {
                packets.increment(0);
                return XDP_PASS;
            }
            """;

    @Test
    void coldInAFreshCacheDirectoryThenWarmFromIt(@TempDir Path cache) {
        BccCompiler compiler = BccCompiler.create(ClangCompiler.create(
                ClangCompiler.Options.defaults().withCacheDirectory(cache)));
        BccProgram cold = compiler.compile(Source.of("count.c", TEXT), List.of());
        assertFalse(cold.object().cached(), "nothing was cached in a fresh directory");
        assertTrue(Files.exists(cache.resolve("bcc")), "the prelude was built in the given cache directory");

        BccProgram warm = compiler.compile(Source.of("count.c", TEXT), List.of());
        assertTrue(warm.object().cached(), "the second compile is a cache hit");
        assertArrayEquals(cold.object().elf(), warm.object().elf());
        assertEquals(cold.rewritten(), warm.rewritten());

        // Caching off: the prelude stays, the rewrite and clang's compile run every time.
        BccCompiler uncached = BccCompiler.create(ClangCompiler.create(
                ClangCompiler.Options.defaults().withCacheDirectory(cache).withUseCache(false)));
        assertFalse(uncached.compile(Source.of("count.c", TEXT), List.of()).object().cached());
        assertFalse(uncached.compile(Source.of("count.c", TEXT), List.of()).object().cached());

        System.out.printf("bcc compile count.c: cold %d ms (rewrite %d ms, clang %d ms), warm %d ms%n",
                cold.timings().total().toMillis(), cold.timings().rewrite().toMillis(),
                cold.timings().compile().toMillis(), warm.timings().total().toMillis());

        // What the compile made is what BPF loads, through either entry.
        try (BPF b = BPF.load(warm); BPF built = BPF.builder().compiler(compiler).text("count.c", TEXT).build()) {
            assertEquals(BPF.XDP, b.loadFunc("count", BPF.XDP).type());
            assertEquals(BPF.XDP, built.loadFunc("count", BPF.XDP).type());
            assertTrue(built.program().object().cached());
        }
    }
}
