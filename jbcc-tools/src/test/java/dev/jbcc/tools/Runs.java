package dev.jbcc.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What the tools' tests share: starting a tool in-process, running commands, reading JSON. */
public final class Runs {
    /**
     * How long a tool may take to attach: the first compile in a JVM builds the kernel's header
     * and runs clang, which under QEMU's emulation on a busy machine takes minutes.
     */
    public static final Duration READY = Duration.ofMinutes(10);
    public static final Duration EVENT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Runs() {
    }

    /** Starts {@code tool} and waits until it traces; fails with its errors if it ended instead. */
    public static ToolRun started(String tool, String... args) throws InterruptedException {
        ToolRun run = ToolRun.start(tool, args);
        if (!run.awaitReady(READY)) {
            int status = run.stop(Runs.READY);
            fail(tool + " did not start (status " + status + "): " + run.errors() + "\n" + run.output());
        }
        return run;
    }

    /** Runs a command to its end; its standard output. */
    public static String sh(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not end");
        }
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    /** One line of --json output, parsed. */
    public static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    /** The line's whitespace-separated columns, the last one taking the rest of the line. */
    public static List<String> columns(String line, int n) {
        List<String> cols = List.of(line.trim().split("\\s+", n));
        assertTrue(cols.size() == n, "expected " + n + " columns in: " + line);
        return cols;
    }
}
