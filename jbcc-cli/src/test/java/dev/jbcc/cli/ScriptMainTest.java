package dev.jbcc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./jbcc Script.java}: a script that fails ends with one line and status 1, as the examples do. */
class ScriptMainTest {
    @TempDir
    Path temp;

    record Run(int status, String out, String err) {}

    private Run script(String name, String text, Map<String, String> env) throws Exception {
        Path file = Files.writeString(temp.resolve(name + ".java"), text);
        var pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-exports", "jdk.compiler/com.sun.tools.javac.launcher=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ScriptMain.class.getName(), file.toString(), "an-argument");
        pb.environment().putAll(env);
        Path out = temp.resolve(name + ".out");
        Path err = temp.resolve(name + ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES));
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static final String BAD_PROGRAM = """
            import dev.jbcc.bcc.BPF;

            void main(String[] args) {
                System.out.println("started with " + args[0]);
                try (BPF b = BPF.fromText("int f(void *ctx) { return missing; }")) {
                    System.out.println("loaded");
                }
            }
            """;

    @Test
    void aCompileErrorIsClangsDiagnosticsAndNoStackTrace() throws Exception {
        Run r = script("BadProgram", BAD_PROGRAM, Map.of());
        assertEquals(1, r.status(), r.err());
        assertEquals("started with an-argument\n", r.out());
        assertTrue(r.err().startsWith("bpf_text.c:1:27: error: use of undeclared identifier 'missing'"), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
    }

    @Test
    void anyOtherFailureIsOneLine() throws Exception {
        Run r = script("Broken", """
                void main(String[] args) throws Exception {
                    throw new java.nio.file.NoSuchFileException("/no/such/input");
                }
                """, Map.of());
        assertEquals(1, r.status(), r.err());
        assertEquals("Broken: no such file: /no/such/input\n", r.err());
    }

    @Test
    void jbccDebugShowsTheStackTrace() throws Exception {
        Run r = script("BadProgram", BAD_PROGRAM, Map.of("JBCC_DEBUG", "1"));
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("\tat dev.jbcc.")), r.err());
    }

    @Test
    void successIsUntouched() throws Exception {
        Run r = script("Fine", "void main(String[] args) { System.out.println(List.of(args)); }\n", Map.of());
        assertEquals(0, r.status(), r.err());
        assertEquals("[an-argument]\n", r.out());
        assertEquals(List.of(), r.err().lines().toList());
    }
}
