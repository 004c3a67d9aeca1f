package dev.jbcc.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the small native programs uprobe and USDT tests probe (gcc from a test resource) and runs
 * them as children that wait for the test: the protocol is "read a line, work, print 'done',
 * read a line, exit", so attaching happens before the work and the memory map can be read after.
 */
public final class NativeBinaries {
    private NativeBinaries() {}

    /** Compiles {@code resource} (a C file on the test class path) with gcc and {@code flags}; returns the executable. */
    public static Path gcc(String resource, String output, String... flags) {
        try {
            Path dir = Path.of("target", "native").toAbsolutePath();
            Files.createDirectories(dir);
            Path source = dir.resolve(output + ".c");
            try (InputStream in = NativeBinaries.class.getResourceAsStream(resource)) {
                if (in == null) throw new IllegalArgumentException("no test resource " + resource);
                Files.write(source, in.readAllBytes());
            }
            Path exe = dir.resolve(output);
            List<String> cmd = new ArrayList<>(List.of("gcc"));
            cmd.addAll(List.of(flags));
            cmd.addAll(List.of("-o", exe.toString(), source.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + log);
            return exe;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A child process following the wait / work / "done" / wait protocol. */
    public static final class Child implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final OutputStream in;

        private Child(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = process.getOutputStream();
        }

        public static Child start(List<String> command) {
            try {
                return new Child(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public int pid() {
            return Math.toIntExact(process.pid());
        }

        /** Lets the child work and returns what it printed before "done". */
        public List<String> run() {
            send();
            List<String> lines = new ArrayList<>();
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.equals("done")) return lines;
                    lines.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("child " + pid() + " exited without 'done'; printed " + lines);
        }

        /** Lets the child exit and checks that it succeeded. */
        public void finish() {
            send();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) throw new IllegalStateException("child " + pid() + " did not exit");
                if (process.exitValue() != 0) throw new IllegalStateException("child " + pid() + " exited with " + process.exitValue());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private void send() {
            try {
                in.write('\n');
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) process.destroyForcibly();
        }
    }
}
