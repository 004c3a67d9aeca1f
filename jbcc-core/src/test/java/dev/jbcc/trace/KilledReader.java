package dev.jbcc.trace;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A child JVM that opens a private tracing instance and is killed with SIGKILL before it closes it. */
public final class KilledReader {
    private KilledReader() {}

    /** The child: opens the instance, prints its directory, and waits to be killed. */
    public static void main(String[] args) throws Exception {
        TracePipe pipe = TracePipe.openPrivate();
        System.out.println(pipe.path().getParent());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Starts the child, kills it with SIGKILL once its instance exists, and returns the instance's
     * directory, which the kill left behind.
     */
    public static Path openAndKill() throws Exception {
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), KilledReader.class.getName()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(line != null && Path.of(line).getFileName().toString().startsWith("jbcc-" + child.pid() + "-"), line);
            child.destroyForcibly(); // SIGKILL: no close(), no shutdown hook
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "killed by SIGKILL");
            Path dir = Path.of(line);
            assertTrue(Files.isDirectory(dir), "the killed process left its instance " + dir);
            return dir;
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }
}
