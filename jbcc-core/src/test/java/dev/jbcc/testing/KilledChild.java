package dev.jbcc.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM on the test class path that sets something up, says so in its first line of output,
 * and is then killed with SIGKILL: no close(), no shutdown hook. What it leaves is what the kill
 * tests make jbcc clean up.
 */
public final class KilledChild {
    private KilledChild() {}

    /** The child's pid and the first line it printed. */
    public record Child(long pid, String firstLine) {}

    /**
     * Runs {@code main} with {@code args} in a child JVM, after the command {@code prefix} (e.g.
     * {@code ip netns exec NS}; empty for none); once it printed a line, runs {@code whileAlive}
     * on it, then kills the child with SIGKILL and waits for it to end.
     */
    public static Child run(List<String> prefix, Class<?> main, List<String> args, Consumer<Child> whileAlive) throws Exception {
        var command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertNotNull(line, main.getSimpleName() + " ended without a word");
            Child child = new Child(process.pid(), line);
            whileAlive.accept(child);
            process.destroyForcibly(); // SIGKILL
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, process.exitValue(), "killed by SIGKILL");
            return child;
        } finally {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
