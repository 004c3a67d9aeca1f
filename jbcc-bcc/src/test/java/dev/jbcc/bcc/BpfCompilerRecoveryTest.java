package dev.jbcc.bcc;

import dev.jbcc.errors.CompileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BPF#fromText} in a JVM that starts without what compiling needs: it says what is wrong in
 * one {@link CompileException}, and works once the cause is fixed, in the same JVM (it used to die
 * with ExceptionInInitializerError, then NoClassDefFoundError on every later call).
 */
class BpfCompilerRecoveryTest {
    static final String PROGRAM = """
            BPF_ARRAY(counts, u64, 1);
            int count(void *ctx) {
                counts.increment(0);
                return 0;
            }
            """;

    /** The child: tries, waits for the parent's "again", tries again; one line per try on stdout. */
    public static void main(String[] args) throws IOException {
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (int i = 0; i < 2; i++) {
            try (BPF b = BPF.fromText(PROGRAM)) {
                System.out.println("ok " + b.loadFunc("count", BPF.XDP).type());
            } catch (Throwable t) {
                System.out.println(t.getClass().getSimpleName() + ": " + t.getMessage().lines().findFirst().orElse(""));
            }
            System.out.flush();
            if (i == 0) in.readLine();
        }
    }

    private record Child(Process process, BufferedReader out, PrintWriter in) {}

    private static Child start(Path bin, Path cacheHome, Path home) throws IOException {
        var pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                BpfCompilerRecoveryTest.class.getName());
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("XDG_CACHE_HOME", cacheHome.toString());
        pb.environment().put("HOME", home.toString());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        return new Child(p, new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)),
                new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static List<String> finish(Child c, String first) throws Exception {
        c.in().println("again");
        String second = c.out().readLine();
        assertTrue(c.process().waitFor(2, TimeUnit.MINUTES));
        return List.of(first, String.valueOf(second));
    }

    private static Path clangPath() throws IOException {
        for (String dir : System.getenv("PATH").split(":")) {
            Path clang = Path.of(dir, "clang-19");
            if (Files.isExecutable(clang)) return clang.toRealPath();
        }
        throw new IllegalStateException("clang-19 is not on the PATH (scripts/deps installs it)");
    }

    @Test
    void withoutClangTheErrorSaysWhatToInstallAndInstallingItHelps(@TempDir Path temp) throws Exception {
        Path bin = Files.createDirectory(temp.resolve("bin"));
        Child c = start(bin, temp.resolve("cache"), temp);
        String first = c.out().readLine();
        Files.createSymbolicLink(bin.resolve("clang-19"), clangPath()); // "apt-get install clang-19"
        List<String> lines = finish(c, first);
        assertTrue(lines.get(0).startsWith("CompileException: ") && lines.get(0).contains("clang-19"), lines.get(0));
        assertEquals("ok " + BPF.XDP, lines.get(1));
    }

    @Test
    void anUnusableCacheDirectoryIsNamedAndFixingItHelps(@TempDir Path temp) throws Exception {
        Path bin = Files.createDirectory(temp.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("clang-19"), clangPath());
        Path notADirectory = Files.writeString(temp.resolve("cache"), "a file where the cache should be");
        Child c = start(bin, notADirectory.resolve("sub"), temp);
        String first = c.out().readLine();
        Files.delete(notADirectory);
        List<String> lines = finish(c, first);
        assertTrue(lines.get(0).startsWith("FileAccessException: cannot set up the cache directory ")
                        && lines.get(0).contains(notADirectory.toString())
                        && lines.get(0).endsWith("; remove it or point XDG_CACHE_HOME elsewhere"), lines.get(0));
        assertEquals("ok " + BPF.XDP, lines.get(1));
    }
}
