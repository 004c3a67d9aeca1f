package dev.jbcc.bcc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StopSignalTest {
    @Test
    void sleepRunsItsCourseWithoutASignalAndCloseRemovesTheHook() {
        StopSignal stop = StopSignal.trap();
        assertTrue(stop.sleep(Duration.ofMillis(20)));
        assertTrue(stop.sleepUntil(System.nanoTime() + 1_000_000));
        assertFalse(stop.received());
        stop.close();
        stop.close(); // idempotent
    }

    /** SIGTERM (what Ctrl-C's SIGINT also does) ends the sleep and the JVM waits for the cleanup. */
    @Test
    void aSignalEndsTheSleepAndTheJvmWaitsForClose(@TempDir Path temp) throws Exception {
        Path program = temp.resolve("StopSignalWorkload.java");
        Files.writeString(program, BccTestSupport.resource("StopSignalWorkload.java"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), program.toString())
                .redirectError(temp.resolve("err").toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            assertEquals("ready", out.readLine(), () -> read(temp.resolve("err")));
            p.toHandle().destroy(); // SIGTERM to our own child
            String last = out.readLine();
            assertTrue(last != null && last.startsWith("cleaned up after ") && last.endsWith("signal true"),
                    last + "\n" + read(temp.resolve("err")));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(143, p.exitValue(), "the JVM exits as SIGTERM asked, after the cleanup");
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
