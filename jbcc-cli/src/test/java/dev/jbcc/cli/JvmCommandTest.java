package dev.jbcc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jbcc jvm}: the running JVMs, and the JVM tools as its subcommands. */
@org.junit.jupiter.api.Tag("examples")
class JvmCommandTest {
    @TempDir
    Path temp;

    @Test
    void listsARunningJvmWithWhatItRunsAndItsLibjvm() throws Exception {
        Path source = temp.resolve("JbccSleeper.java");
        Files.writeString(source, """
                public class JbccSleeper {
                    public static void main(String[] args) throws Exception {
                        System.out.println("ready");
                        Thread.sleep(120_000);
                    }
                }
                """);
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), source.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertEquals("ready", new String(jvm.getInputStream().readNBytes(6)).strip());
            CliTest.Run r = CliTest.jbcc("jvm");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().startsWith("PID     NAME                                     LIBJVM\n"), r.out());
            String line = r.out().lines().filter(l -> l.startsWith(jvm.pid() + " ")).findFirst().orElseThrow(
                    () -> new AssertionError("no line for " + jvm.pid() + ": " + r.out()));
            assertTrue(line.contains(" " + source + " "), line);
            assertTrue(line.endsWith("/libjvm.so"), line);
            assertTrue(r.err().startsWith("jbcc jvm TOOL -p PID: threads, gc, "), r.err());
        } finally {
            jvm.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void eachJvmToolIsASubcommandWithItsHelp() {
        for (String tool : new String[] {"threads", "gc", "classload", "compile", "objnew", "calls", "flow", "safepoint"}) {
            CliTest.Run r = CliTest.jbcc("jvm", tool, "--help");
            assertEquals(0, r.status(), tool + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: jbcc jvm " + tool + " "), r.out());
            assertTrue(r.out().contains("examples:") && r.out().contains("-p, --pid=PID"), r.out());
        }
        // the launcher's quick path: jbcc jvm as a command of its own
        var out = new StringWriter();
        CommandLine jvm = Main.toolCommandLine("jvm");
        jvm.setOut(new PrintWriter(out));
        assertEquals(0, jvm.execute("gc", "--help"));
        assertTrue(out.toString().startsWith("Usage: jbcc jvm gc "), out.toString());
    }

    @Test
    void aPidThatIsNoJvmIsAnErrorOfOneLine() {
        CliTest.Run r = CliTest.jbcc("jvm", "threads", "-p", "1");
        assertEquals(Main.EXIT_ERROR, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("jbcc: process 1 ("), r.err());
    }
}
