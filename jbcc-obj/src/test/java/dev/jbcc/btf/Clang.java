package dev.jbcc.btf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs clang-19 and llvm-objcopy-19 for tests; a failing tool fails the test with its output. */
final class Clang {
    static final String CLANG = "/usr/bin/clang-19";
    static final String OBJCOPY = "/usr/bin/llvm-objcopy-19";

    private Clang() {}

    record Result(int exitCode, String output) {}

    static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "tool", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    static void runOk(Path dir, List<String> command) throws IOException, InterruptedException {
        Result r = run(dir, command);
        assertEquals(0, r.exitCode(), () -> String.join(" ", command) + " failed:\n" + tail(r.output()));
    }

    static String tail(String s) {
        return s.length() > 20_000 ? "…" + s.substring(s.length() - 20_000) : s;
    }

    /** Compiles {@code source} with {@code clang-19 -target <target> -O2 -g -c}; returns the object. */
    static Path compileBpf(Path dir, String name, String source, String target, String... extra)
            throws IOException, InterruptedException {
        Path c = dir.resolve(name + ".c");
        Files.writeString(c, source);
        Path o = dir.resolve(name + "." + target + ".o");
        List<String> cmd = new ArrayList<>(List.of(CLANG, "-target", target, "-O2", "-g", "-c"));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of(c.toString(), "-o", o.toString()));
        runOk(dir, cmd);
        assertTrue(Files.size(o) > 0);
        return o;
    }

    /** The raw bytes of ELF section {@code section} of {@code object}, via llvm-objcopy. */
    static byte[] section(Path object, String section) throws IOException, InterruptedException {
        Path out = Files.createTempFile(object.getParent(), "section", ".bin");
        runOk(object.getParent(), List.of(OBJCOPY, "--dump-section", section + "=" + out, object.toString(),
                object.getParent().resolve("objcopy-discard.o").toString()));
        return Files.readAllBytes(out);
    }
}
