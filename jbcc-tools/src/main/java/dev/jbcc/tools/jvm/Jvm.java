package dev.jbcc.tools.jvm;

import dev.jbcc.errors.NotFoundException;
import dev.jbcc.tools.JavaSymbols;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A running HotSpot JVM: a process that maps {@code libjvm.so}.
 *
 * @param pid    its process id
 * @param name   its main class, source file, jar or module as given on its command line (else its command name)
 * @param libjvm the {@code libjvm.so} it runs, as this process can open it (under {@code /proc/PID/root}
 *               when the JVM is in another mount namespace)
 */
public record Jvm(int pid, String name, Path libjvm) {
    /** Launcher options whose value is the next argument. */
    private static final Set<String> TAKES_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
            "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-exports", "--add-opens", "--add-reads",
            "--patch-module", "--source", "--enable-native-access", "--describe-module", "-d");

    /**
     * The JVM that process {@code pid} is.
     *
     * @throws NotFoundException if there is no such process, or it maps no {@code libjvm.so}
     */
    public static Jvm of(int pid) {
        Path proc = Path.of("/proc", Integer.toString(pid));
        if (!Files.isDirectory(proc)) throw new NotFoundException("no process " + pid + " (is the JVM still running?)");
        return find(pid).orElseThrow(() -> new NotFoundException("process " + pid + " (" + comm(pid)
                + ") is not a HotSpot JVM: it maps no libjvm.so; give the PID of a java process (jbcc jvm lists them)"));
    }

    /** Every JVM running now but this one, by process id. */
    public static List<Jvm> running() {
        List<Jvm> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path d : dirs) {
                int pid = Integer.parseInt(d.getFileName().toString());
                if (pid == ProcessHandle.current().pid()) continue;
                find(pid).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        out.sort(java.util.Comparator.comparingInt(Jvm::pid));
        return out;
    }

    /** The JVM process {@code pid} is, if it maps libjvm.so (empty if it is gone or not a JVM). */
    static Optional<Jvm> find(int pid) {
        return JavaSymbols.libjvm(pid).map(lib -> new Jvm(pid, mainName(pid), lib));
    }

    /** The JVM's name: what it runs, from its command line, else its command name; for processes that end, the pid. */
    static String mainName(int pid) {
        List<String> args = commandLine(pid);
        String main = mainOf(args);
        return main != null ? main : comm(pid);
    }

    /** The argument naming what a {@code java} command line runs: class, source file, jar or module. */
    static String mainOf(List<String> args) {
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-jar") || a.equals("-m") || a.equals("--module")) return i + 1 < args.size() ? args.get(i + 1) : null;
            if (a.startsWith("--module=")) return a.substring("--module=".length());
            if (TAKES_VALUE.contains(a)) {
                i++;
                continue;
            }
            if (a.startsWith("-") || a.startsWith("@")) continue;
            return a;
        }
        return null;
    }

    /** The process's arguments, argv[0] first; empty if it is gone. */
    static List<String> commandLine(int pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline"));
            String s = new String(raw, StandardCharsets.UTF_8);
            if (s.endsWith("\0")) s = s.substring(0, s.length() - 1);
            return s.isEmpty() ? List.of() : Arrays.asList(s.split("\0", -1));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String comm(int pid) {
        try {
            return Files.readString(Path.of("/proc", Integer.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return Integer.toString(pid);
        }
    }

    /** The home of the JDK (or JRE) this JVM runs: the directory above {@code lib/} (or {@code lib/server/}). */
    public Path javaHome() {
        return JavaSymbols.javaHome(libjvm);
    }
}
