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
    void aMissingSemicolonBeforeATableCallIsShownOnTheUsersText() {
        var e = error("""
                BPF_HASH(counts, u32, u64);
                TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
                    u32 key = 0
                    counts.increment(key);
                    return 0;
                }
                """);
        List<String> lines = e.diagnostics().lines().toList();
        assertTrue(lines.get(0).startsWith("prog.c:4:5: error: "), lines.get(0));
        assertEquals("    4 |     counts.increment(key);", lines.get(1));
        assertEquals("      |     ^", lines.get(2));
        assertTrue(e.getMessage().startsWith("prog.c:4:5: error: "), e.getMessage());
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
}
