package dev.jbcc.bcc.dialect;

import dev.jbcc.errors.CompileException;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Errors in a bcc program are told at the user's file, line and text, never in jbcc's generated names or headers. */
class UserDiagnosticsTest {
    @TempDir
    static Path cache;
    static BccCompiler compiler;

    @BeforeAll
    static void compiler() {
        compiler = BccCompiler.create(ClangCompiler.create(ClangCompiler.Options.defaults().withCacheDirectory(cache)));
    }

    private static CompileException error(String text) {
        var e = assertThrows(CompileException.class, () -> compiler.compile(Source.of("prog.c", text), List.of()));
        for (String s : List.of(e.getMessage(), e.diagnostics())) {
            assertFalse(s.contains("__JBCC") || s.contains("jbcc_bcc_prelude") || s.contains(cache.toString()), s);
        }
        return e;
    }

    @Test
    void aMissingSemicolonBeforeATableCallIsReportedWhereItIsMissing() {
        // As clang says it of plain C: at the end of line 3, not as "expected expression" on line 4.
        var e = error("""
                BPF_HISTOGRAM(dist);
                int kprobe__vfs_read(struct pt_regs *ctx) {
                    u64 x = 1
                    dist.increment(x);
                    return 0;
                }
                """);
        assertEquals(List.of("prog.c:3:14: error: expected ';' at end of declaration",
                "    3 |     u64 x = 1",
                "      |              ^",
                "      |              ;",
                "1 error generated."), e.diagnostics().lines().toList());
        assertEquals("prog.c:3:14: error: expected ';' at end of declaration", e.getMessage());
    }

    @Test
    void aMissingSemicolonAfterATableCallIsReportedWhereItIsMissing() {
        var e = error("""
                BPF_HASH(counts, u32, u64);
                TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
                    u32 k = 0;
                    u64 *v = counts.lookup(&k)
                    if (v) *v += 1;
                    return 0;
                }
                """);
        assertEquals(List.of("prog.c:4:31: error: expected ';' at end of declaration",
                "    4 |     u64 *v = counts.lookup(&k)",
                "      |                               ^",
                "      |                               ;"), e.diagnostics().lines().limit(4).toList());
    }

    @Test
    void aMissingParenthesisInsideATableCallIsReportedWithTheOneItMatches() {
        var e = error("""
                BPF_HASH(counts, u64, u64);
                TRACEPOINT_PROBE(syscalls, sys_exit_read) {
                    counts.increment(bpf_log2l(args->ret);
                    return 0;
                }
                """);
        assertEquals(List.of("prog.c:3:42: error: expected ')'",
                "    3 |     counts.increment(bpf_log2l(args->ret);",
                "      |                                          ^",
                "prog.c:3:21: note: to match this '('",
                "    3 |     counts.increment(bpf_log2l(args->ret);",
                "      |                     ^",
                "1 error generated."), e.diagnostics().lines().toList());
    }

    @Test
    void aMistypedTableMethodIsPointedAtWithTheNearestOne() {
        var e = error("""
                BPF_HASH(counts, u32, u64);
                TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
                    u32 k = 0;
                    counts.incremnt(k);
                    return 0;
                }
                """);
        List<String> lines = e.getMessage().lines().toList();
        assertTrue(lines.get(0).startsWith("prog.c:4:12: error: table 'counts' has no method 'incremnt'; did you mean 'increment'?"),
                lines.get(0));
        assertEquals(List.of("    4 |     counts.incremnt(k);", "      |            ^"), lines.subList(1, 3));
    }

    @Test
    void clangsSuggestedFixIsShownAsItsText() {
        var e = error("""
                BPF_HASH(counts, u32, u64);
                TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
                    u32 key = 0;
                    counts.increment(kee);
                    return 0;
                }
                """);
        List<String> lines = e.diagnostics().lines().toList();
        assertEquals("prog.c:4:22: error: use of undeclared identifier 'kee'; did you mean 'key'?", lines.get(0));
        assertEquals(List.of("    4 |     counts.increment(kee);",
                "      |                      ^",
                "      |                      key"), lines.subList(1, 4));
    }

    @Test
    void anUndeclaredNameInATableCallIsPointedAt() {
        var e = error("""
                BPF_HASH(counts, u32, u64);
                TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
                    counts.increment(missing);
                    return 0;
                }
                """);
        List<String> lines = e.diagnostics().lines().toList();
        assertEquals("prog.c:3:22: error: use of undeclared identifier 'missing'", lines.get(0));
        assertEquals("    3 |     counts.increment(missing);", lines.get(1));
        assertEquals("      |                      ^", lines.get(2));
    }

    @Test
    void generatedNamesReadAsTheUserWroteThem() {
        assertEquals("too few arguments to increment", UserDiagnostics.names("too few arguments to __JBCC_INCREMENT"));
        assertEquals("bpf_trace_printk", UserDiagnostics.names("__JBCC_TRACE_PRINTK"));
    }

    /** A struct in neither vmlinux nor a loaded module: the error names it and says to load its module. */
    @Test
    void aStructNoBtfHasSaysToLoadItsModule() {
        CompileException e = error("""
                int kprobe__do_nothing(struct pt_regs *ctx, struct jbcc_absent_s *s) {
                    return s->field;
                }
                """);
        assertTrue(e.getMessage().contains("struct jbcc_absent_s is in neither vmlinux's BTF nor a loaded module's: "
                + "load the module that defines it"), e.getMessage());
    }
}
