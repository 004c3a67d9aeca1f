package dev.jbcc.elf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helper: compiles C source with {@code clang-19 -target bpf -O2 -g -c} and returns the object bytes. */
public final class ClangBpf {
    public static final String CLANG = "/usr/bin/clang-19";

    private ClangBpf() {}

    public static byte[] compile(String source, String... extraArgs) {
        return compileFor("bpf", source, extraArgs);
    }

    /** Compiles without {@code -g}: no BTF. */
    public static byte[] compileNoDebug(String source) {
        return run(List.of(CLANG, "-target", "bpf", "-O2", "-I/usr/include/" + multiarch()), source);
    }

    /** Compiles for the host (an x86-64 or arm64 object, not BPF). */
    public static byte[] compileNative(String source) {
        return run(List.of(CLANG, "-O2"), source);
    }

    /** Compiles for {@code target}: "bpf" (host order), "bpfel" or "bpfeb". */
    public static byte[] compileFor(String target, String source, String... extraArgs) {
        List<String> cmd = new ArrayList<>(List.of(CLANG, "-target", target, "-O2", "-g", "-fdebug-compilation-dir=.", "-I/usr/include/" + multiarch()));
        cmd.addAll(List.of(extraArgs));
        return run(cmd, source);
    }

    private static byte[] run(List<String> compiler, String source) {
        try {
            Path dir = Files.createTempDirectory("jbcc-clang");
            try {
                Path src = dir.resolve("prog.c");
                Path obj = dir.resolve("prog.o");
                Files.writeString(src, source);
                List<String> cmd = new ArrayList<>(compiler);
                cmd.addAll(List.of("-c", src.toString(), "-o", obj.toString()));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("clang timed out");
                }
                if (p.exitValue() != 0) throw new AssertionError("clang failed:\n" + output);
                return Files.readAllBytes(obj);
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) Files.delete(f);
                }
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run clang", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The Debian multiarch include directory that holds asm/types.h for linux/bpf.h. */
    private static String multiarch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64" -> "aarch64-linux-gnu";
            default -> arch + "-linux-gnu";
        };
    }
}
