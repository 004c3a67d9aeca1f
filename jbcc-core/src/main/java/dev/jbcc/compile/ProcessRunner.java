package dev.jbcc.compile;

import dev.jbcc.errors.CompileException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program without a shell. Standard output and error go to a file rather than a pipe, so a
 * chatty child can never block on a full pipe while we wait for it, and the timeout stays exact.
 */
final class ProcessRunner {
    private ProcessRunner() {}

    /** Exit status and combined stdout + stderr of a finished child. */
    record Result(int exitCode, String output) {}

    /**
     * @param command    program and arguments
     * @param workingDir the child's working directory
     * @param stdin      file to feed as standard input, or null for none
     * @param outputFile where the child's stdout and stderr go (created or truncated)
     */
    static Result run(List<String> command, Path workingDir, Path stdin, Path outputFile, Duration timeout) {
        var builder = new ProcessBuilder(command)
                .directory(workingDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(outputFile.toFile())
                .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
                                             : ProcessBuilder.Redirect.from(stdin.toFile()));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CompileException("cannot run " + command.getFirst() + ": " + e.getMessage(), "");
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                throw new CompileException(command.getFirst() + " did not finish within "
                        + timeout.toSeconds() + " s and was killed", readQuietly(outputFile));
            }
            return new Result(process.exitValue(), readText(outputFile));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CompileException("interrupted while waiting for " + command.getFirst(), "");
        } catch (IOException e) {
            throw new CompileException("cannot read the output of " + command.getFirst() + ": " + e, "");
        }
    }

    /** Decodes leniently: diagnostics quote source lines, which need not be valid UTF-8. */
    static String readText(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private static String readQuietly(Path file) {
        try {
            return readText(file);
        } catch (IOException e) {
            // Only used to enrich an error that is already being thrown.
            return "(output unreadable: " + e + ")";
        }
    }
}
