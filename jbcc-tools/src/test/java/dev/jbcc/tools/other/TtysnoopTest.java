package dev.jbcc.tools.other;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import dev.jbcc.tools.Variants;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ttysnoop on a pseudo-terminal of the test's own (Python's pty module opens it, says its name,
 * and writes to it when told). tty_write has no tracepoint: kprobes or fentry.
 */
class TtysnoopTest {
    private static boolean hooked() {
        return Ttysnoop.KPROBE.missing() == null || Ttysnoop.FENTRY.missing() == null;
    }

    @Test
    void withoutKprobesOrFentryItSaysWhatIsMissing() throws Exception {
        try (ToolRun run = ToolRun.start("ttysnoop", "-C", "/dev/null")) {
            if (hooked()) {
                assertTrue(run.awaitReady(Runs.READY), run.errors());
                return;
            }
            assertEquals(1, run.await(Runs.READY), run.errors());
            assertEquals(1, run.errors().lines().count(), run.errors());
            assertTrue(run.errors().startsWith("jbcc: ") && run.errors().contains("kprobe: ") && run.errors().contains("fentry: "), run.errors());
        }
    }

    @Test
    void noSuchTtyIsAUsageError() throws Exception {
        try (ToolRun run = ToolRun.start("ttysnoop", "9999999")) {
            assertEquals(2, run.await(Runs.READY));
            assertEquals("jbcc: no tty /dev/pts/9999999 (a path such as /dev/tty0, or a pts number) (usage: jbcc ttysnoop --help)", run.errors());
        }
    }

    @Test
    void theCForEveryHookCompilesAndTheKprobeOneLoads() {
        Map<String, Object> defines = Map.of("PTS", 3, "BUFSIZE", 256, "DATACOUNT", 16);
        Variants.verify(Variants.compile(Ttysnoop.class, "ttysnoop.bpf.c", Ttysnoop.KPROBE, defines));
        Variants.compile(Ttysnoop.class, "ttysnoop.bpf.c", Ttysnoop.FENTRY, defines);
    }

    @Test
    @Tag("kprobes")
    void showsWhatIsWrittenToThePts() throws Exception {
        String marker = "jbcc-" + UUID.randomUUID();
        Process pty = new ProcessBuilder("python3", "-c", "import os, pty, sys\n"
                + "m, s = pty.openpty()\n"
                + "print(os.ttyname(s), flush=True)\n"
                + "sys.stdin.readline()\n"
                + "os.write(s, sys.argv[1].encode() + b'\\n')\n"
                + "os.read(m, 1024)\n", marker).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(pty.getInputStream(), StandardCharsets.UTF_8));
            String tty = out.readLine();
            assertTrue(tty != null && tty.startsWith("/dev/pts/"), "the pty's name: " + tty);
            try (ToolRun run = Runs.started("ttysnoop", "-C", tty.substring("/dev/pts/".length()))) {
                pty.getOutputStream().write('\n');
                pty.getOutputStream().close();
                assertTrue(pty.waitFor(1, TimeUnit.MINUTES));
                String line = run.awaitLine(l -> l.contains(marker), Runs.EVENT)
                        .orElseThrow(() -> new AssertionError("no " + marker + ": " + run.output() + run.errors()));
                assertEquals(marker, line.strip());
                assertFalse(run.output().contains("\033[2J"), "-C: no clearing");
            }
        } finally {
            pty.destroyForcibly();
        }
    }
}
