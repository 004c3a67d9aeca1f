package dev.jbcc.trace;

import dev.jbcc.testing.KilledChild;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        KilledChild.Child child = KilledChild.run(List.of(), KilledReader.class, List.of(), c -> { });
        Path dir = Path.of(child.firstLine());
        assertTrue(dir.getFileName().toString().startsWith("jbcc-" + child.pid() + "-"), dir.toString());
        assertTrue(Files.isDirectory(dir), "the killed process left its instance " + dir);
        return dir;
    }
}
