package dev.jbcc.bcc.dialect;

import dev.jbcc.Collection;
import dev.jbcc.TestRun;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.KernelHeaders;
import dev.jbcc.compile.Source;
import dev.jbcc.compile.internal.CompileCache;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole-program cache: a program compiled before comes back without the prelude, the passes
 * or clang, and whatever decides the object (flags, the program's own headers, the kernel's types)
 * makes it compile afresh. Each object is loaded and run, so a stale hit would show as the old
 * return value.
 */
@ExtendWith(FdLeakCheck.class)
class ProgramCacheTest {
    private static final String PROGRAM = """
            #include <uapi/linux/bpf.h>
            #include "value.h"
            int ret(struct xdp_md *ctx) {
                return VALUE;
            }
            """;

    private static String header(int value) {
        return "#ifndef VALUE\n#define VALUE " + value + "\n#endif\n";
    }

    @Test
    void aHitSkipsThePreludeAndAnythingThatDecidesTheObjectMisses(@TempDir Path dir) throws IOException {
        Path cache = dir.resolve("cache");
        Path src = Files.createDirectory(dir.resolve("src"));
        Path program = Files.writeString(src.resolve("ret.c"), PROGRAM);
        Path header = Files.writeString(src.resolve("value.h"), header(1));
        BccCompiler compiler = BccCompiler.create(ClangCompiler.create(ClangCompiler.Options.defaults().withCacheDirectory(cache)));

        BccProgram first = compiler.compile(program, List.of());
        assertEquals(1, run(first));

        // A new compiler, as in a new JVM: the program comes back without the passes.
        BccCompiler again = BccCompiler.create(ClangCompiler.create(ClangCompiler.Options.defaults().withCacheDirectory(cache)));
        BccProgram hit = again.compile(program, List.of());
        assertTrue(hit.object().cached());
        assertEquals(0, again.passRuns(), "a cached program was served without the prelude, the passes or clang");
        assertArrayEquals(first.object().elf(), hit.object().elf());
        assertEquals(first.rewritten(), hit.rewritten());
        assertEquals(first.functions(), hit.functions());
        assertEquals(1, run(hit));

        // Other flags: compiled again.
        assertEquals(2, run(again.compile(program, List.of("-DVALUE=2"))));
        assertEquals(1, again.passRuns());

        // The program's own header changed: compiled again, with the new value.
        Files.writeString(header, header(3));
        assertEquals(3, run(again.compile(program, List.of())));
        Files.writeString(header, header(1));
        assertEquals(1, run(again.compile(program, List.of())));
        assertEquals(3, again.passRuns());

        // Files of the prelude gone (the cache cleaned by hand): the entry's recorded inputs are
        // missing, so it is compiled again rather than handed out.
        CompileCache.deleteQuietly(cache.resolve("bcc"));
        BccCompiler third = BccCompiler.create(ClangCompiler.create(ClangCompiler.Options.defaults().withCacheDirectory(cache)));
        assertEquals(1, run(third.compile(program, List.of())));
        assertEquals(1, third.passRuns());
        assertEquals(1, run(third.compile(program, List.of())));
        assertEquals(1, third.passRuns());
    }

    @Test
    void otherKernelTypesMiss(@TempDir Path dir) throws IOException {
        Path cache = dir.resolve("cache");
        Source source = Source.of("count.c", "#include <uapi/linux/bpf.h>\nint ret(struct xdp_md *ctx) { return XDP_PASS; }\n");
        BccCompiler running = BccCompiler.create(ClangCompiler.create(ClangCompiler.Options.defaults().withCacheDirectory(cache)));
        assertEquals(2, run(running.compile(source, List.of())));
        assertTrue(running.compile(source, List.of()).object().cached());
        assertEquals(1, running.passRuns());
        assertEquals(1, preludes(cache));

        // The same types from a copy of the BTF file: identified by content rather than the
        // kernel's build ID, so a different kernel identity, and the program is compiled for it.
        Path btf = Files.copy(KernelHeaders.KERNEL_BTF, dir.resolve("vmlinux.btf"));
        BccCompiler copy = BccCompiler.create(ClangCompiler.create(ClangCompiler.Options.defaults().withCacheDirectory(cache)
                .withKernelHeaders(KernelHeaders.fromBtf(btf))));
        assertEquals(2, run(copy.compile(source, List.of())));
        assertEquals(1, copy.passRuns(), "the other kernel identity missed");
        assertEquals(2, preludes(cache));
    }

    private static long preludes(Path cache) throws IOException {
        try (Stream<Path> dirs = Files.list(cache.resolve("bcc"))) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("prelude.pch"))).count();
        }
    }

    /** Loads the program and runs its XDP function once on an empty packet. */
    private static int run(BccProgram p) {
        try (Collection c = Collection.load(p.spec())) {
            return c.program("ret").testRun(TestRun.packet(Packets.tcpSyn())).returnValue();
        }
    }
}
