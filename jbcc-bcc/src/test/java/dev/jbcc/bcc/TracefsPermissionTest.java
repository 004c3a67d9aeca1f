package dev.jbcc.bcc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A TRACEPOINT_PROBE program run by an unprivileged user: tracefs is mounted, but 0700 root. The
 * error says so, with the capabilities missing, instead of "tracefs is not mounted, mount it".
 */
class TracefsPermissionTest {

    /** The child, run as nobody: one line, the error's class and message. */
    public static void main(String[] args) {
        try (BPF b = BPF.fromText("""
                TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
                    return 0;
                }
                """)) {
            System.out.println("loaded");
        } catch (Exception e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @Test
    void aTracefsClosedToTheUserIsNamedWithTheMissingCapabilities(@TempDir Path temp) throws Exception {
        Path tracefs = Path.of("/sys/kernel/tracing");
        assertEquals(0700, (Integer) Files.getAttribute(tracefs, "unix:mode") & 0777, "tracefs is 0700 root, as mounted by the kernel");
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path home = Files.createDirectory(temp.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        // The class path as nobody can read it: jars from ~/.m2 (under /root) copied here.
        Path lib = Files.createDirectory(temp.resolve("lib"));
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwxr-xr-x"));
        var classPath = new ArrayList<String>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && entry.startsWith(System.getProperty("user.home"))) {
                Path copy = Files.copy(p, lib.resolve(p.getFileName()));
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                classPath.add(copy.toString());
            } else {
                classPath.add(entry);
            }
        }
        List<String> command = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                "env", "HOME=" + home, "XDG_CACHE_HOME=" + home.resolve("cache"),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", String.join(File.pathSeparator, classPath), TracefsPermissionTest.class.getName());
        Path out = temp.resolve("out");
        Path err = temp.resolve("err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES));
        String line = Files.readString(out).lines().findFirst().orElse("");
        assertEquals(0, p.exitValue(), Files.readString(err));
        assertTrue(line.startsWith("CompileException: bpf_text.c:1: error: TRACEPOINT_PROBE(syscalls, sys_enter_openat)"), line);
        assertTrue(line.endsWith(" reads the tracepoint's format from tracefs: tracefs is mounted at /sys/kernel/tracing,"
                + " but this process (uid 65534) may not enter /sys/kernel/tracing (mode 0700, owner uid 0) without"
                + " CAP_DAC_READ_SEARCH, which it lacks; for tracing it also lacks CAP_NET_ADMIN, CAP_PERFMON, CAP_BPF: run as root"),
                line);
        assertTrue(!line.contains("not mounted"), line);
    }
}
