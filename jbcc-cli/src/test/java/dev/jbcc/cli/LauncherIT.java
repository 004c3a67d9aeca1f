package dev.jbcc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code ./jbcc} script at the repository root, run as a process against the packaged jar. */
class LauncherIT {

    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    static final Path LAUNCHER = REPO.resolve("jbcc");

    @TempDir
    Path temp;

    record Run(int status, String out, String err) {}

    private Run run(List<String> command) throws IOException, InterruptedException {
        Path out = temp.resolve("stdout");
        Path err = temp.resolve("stderr");
        Process p = new ProcessBuilder(command).directory(REPO.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "launcher finished");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void versionRunsTheCli() throws Exception {
        Run r = run(List.of(LAUNCHER.toString(), "version"));
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertEquals("jbcc " + VersionCommand.jbccVersion(), lines.get(0));
        assertTrue(lines.get(1).startsWith("java 25"), lines.get(1));
        // The jar is fresh (this runs after `package`) and clang and libbpf-dev are installed.
        assertEquals("", r.err());
    }

    @Test
    void usageErrorExitsWithTwo() throws Exception {
        Run r = run(List.of(LAUNCHER.toString(), "no-such-command"));
        assertEquals(2, r.status());
        assertTrue(r.err().contains("Unmatched argument"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void withoutClangANonRootUserIsToldWhatToInstall() throws Exception {
        // A PATH with the tools the script uses but no clang, and the nobody user.
        Path bin = Files.createDirectory(temp.resolve("bin"));
        for (Path dir : List.of(temp, bin)) {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (String tool : List.of("bash", "env", "find", "dirname", "readlink", "id", "mktemp", "grep", "sort",
                "sed", "cat", "rm", "touch", "head")) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool).toRealPath());
        }
        var command = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "env", "-i", "PATH=" + bin, "HOME=/nonexistent", LAUNCHER.toString(), "version"));
        Run r = run(command);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("jbcc "), r.out());
        assertEquals("jbcc: to compile BPF programs, install clang-19: sudo apt-get install clang-19\n", r.err());
    }
}
