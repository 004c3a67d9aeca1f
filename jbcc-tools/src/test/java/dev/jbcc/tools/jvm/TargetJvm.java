package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Runs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM the JVM tools' tests look into: Workload.java run by a JDK's source launcher, driven
 * one command per line. The tool itself runs in the test's JVM ({@code ToolRun}); only the target
 * is another process.
 */
final class TargetJvm implements AutoCloseable {
    /** How long a command may take to be answered (a bound for a hung target, several times what QEMU's emulation takes). */
    private static final Duration ANSWER = Duration.ofMinutes(5);

    private final Process process;
    private final BufferedReader out;
    private final OutputStream in;
    final Path javaHome;
    /** The source file it runs: its name on the command line, which the tools show. */
    final Path source;

    private TargetJvm(Path javaHome, Path source, Process process) {
        this.javaHome = javaHome;
        this.source = source;
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = process.getOutputStream();
    }

    /**
     * The JDKs the tests target: the one running them, and Debian's OpenJDK 17 (scripts/deps installs
     * openjdk-17-jdk-headless), whose libjvm.so carries HotSpot's probes too.
     */
    static List<Path> jdks() throws IOException {
        Set<Path> homes = new LinkedHashSet<>();
        homes.add(Path.of(System.getProperty("java.home")).toRealPath());
        Path debian = null;
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of("/usr/lib/jvm"), "java-17-openjdk-*")) {
            for (Path p : d) if (Files.isExecutable(p.resolve("bin/java"))) debian = p.toRealPath();
        } catch (IOException e) {
            // no /usr/lib/jvm: the assertion below says what to install
        }
        assertTrue(debian != null, "no OpenJDK 17 under /usr/lib/jvm: install openjdk-17-jdk-headless (scripts/deps)");
        homes.add(debian);
        return new ArrayList<>(homes);
    }

    /** Starts Workload.java on the JDK at {@code javaHome} with {@code options}, and waits for its "ready". */
    static TargetJvm start(Path javaHome, String... options) throws IOException {
        Path dir = Files.createTempDirectory("jbcc-jvm-");
        Path source = dir.resolve("Workload.java");
        try (InputStream s = TargetJvm.class.getResourceAsStream("Workload.java")) {
            Files.write(source, s.readAllBytes());
        }
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        command.addAll(List.of(options));
        command.add(source.toString());
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        TargetJvm jvm = new TargetJvm(javaHome, source, p);
        try {
            assertEquals("ready", jvm.readLine(Runs.READY)); // the source launcher compiles first: minutes under QEMU's emulation
        } catch (RuntimeException | Error e) {
            jvm.close();
            throw e;
        } finally {
            Files.deleteIfExists(source);
            Files.deleteIfExists(dir);
        }
        return jvm;
    }

    /** The JDK's feature version (17, 25), from its release file. */
    static int version(Path javaHome) throws IOException {
        for (String line : Files.readAllLines(javaHome.resolve("release"))) {
            if (line.startsWith("JAVA_VERSION=")) return Integer.parseInt(line.replaceAll("JAVA_VERSION=\"?(\\d+).*", "$1"));
        }
        throw new AssertionError("no JAVA_VERSION in " + javaHome.resolve("release"));
    }

    long pid() {
        return process.pid();
    }

    /** Sends one command and returns the workload's answer. */
    String ask(String command) throws IOException {
        in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        return readLine(ANSWER);
    }

    private String readLine(Duration timeout) throws IOException {
        try {
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) throw new AssertionError("the workload JVM ended (status " + process.waitFor() + ")");
            return line;
        } catch (Exception e) {
            throw new AssertionError("no answer from the workload JVM on " + javaHome, e);
        }
    }

    @Override
    public void close() {
        try {
            in.write("quit\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
