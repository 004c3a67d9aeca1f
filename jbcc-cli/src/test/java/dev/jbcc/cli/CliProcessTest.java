package dev.jbcc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jbcc …} as a process of its own (the test's class path): what depends on real standard streams and the environment. */
class CliProcessTest {
    @TempDir
    Path temp;

    static ProcessBuilder jbcc(List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command);
    }

    /** {@code jbcc btf dump | head -c 100}: the reader leaves early, and that is a normal end. */
    @Test
    void btfDumpIntoAPipeClosedEarlyEndsNormally() throws Exception {
        Path err = temp.resolve("err");
        Process p = jbcc(List.of("btf", "dump")).redirectError(err.toFile()).start();
        try (InputStream out = p.getInputStream()) {
            assertEquals(100, out.readNBytes(100).length);
        } // closed: the header is ~3 MB, so the writer meets the closed pipe
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), Files.readString(err));
        assertEquals("", Files.readString(err));
    }

    @Test
    void jbccDebugShowsTheStackTrace() throws Exception {
        String missing = temp.resolve("nowhere.c").toString();
        String plain = errorOf(jbcc(List.of("compile", missing, "--no-vmlinux")));
        assertEquals("jbcc: cannot read " + missing + ": no such file\n", plain);

        ProcessBuilder debug = jbcc(List.of("compile", missing, "--no-vmlinux"));
        debug.environment().putAll(Map.of("JBCC_DEBUG", "1"));
        String traced = errorOf(debug);
        assertTrue(traced.startsWith(plain), traced);
        assertTrue(traced.lines().anyMatch(l -> l.startsWith("\tat dev.jbcc.")), traced);
    }

    private String errorOf(ProcessBuilder pb) throws IOException, InterruptedException {
        Path err = Files.createTempFile(temp, "err", "");
        Process p = pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(Main.EXIT_ERROR, p.exitValue(), Files.readString(err));
        return Files.readString(err);
    }
}
