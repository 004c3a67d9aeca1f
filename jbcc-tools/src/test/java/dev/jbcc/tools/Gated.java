package dev.jbcc.tools;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A command whose PID is known before it runs: a shell that waits for a line on its standard input
 * and then becomes the command (exec keeps the PID). Start it, start the tool filtered on
 * {@link #pid()}, then {@link #run()}.
 */
public final class Gated implements AutoCloseable {
    private final Process process;

    /** {@code command} is a shell command line, exec'd once released. */
    public Gated(String command) throws IOException {
        process = new ProcessBuilder("sh", "-c", "read go; exec " + command).redirectErrorStream(true).start();
    }

    public long pid() {
        return process.pid();
    }

    /** Releases the command and waits for it (a minute at most); its exit status. */
    public int run() throws IOException, InterruptedException {
        process.getOutputStream().write('\n');
        process.getOutputStream().close();
        process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertTrue(process.waitFor(1, TimeUnit.MINUTES), "the command did not end");
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
