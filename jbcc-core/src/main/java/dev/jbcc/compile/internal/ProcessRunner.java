package dev.jbcc.compile.internal;

import dev.jbcc.errors.CompileException;
import dev.jbcc.errors.FileAccessException;

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
public final class ProcessRunner {
    private ProcessRunner() {}

    /** Exit status and combined stdout + stderr (or only stderr, when they go apart) of a finished child. */
    public record Result(int exitCode, String output) {}

    /**
     * @param command    program and arguments
     * @param workingDir the child's working directory
     * @param stdin      file to feed as standard input, or null for none
     * @param outputFile where the child's stdout and stderr go (created or truncated)
     */
    public static Result run(List<String> command, Path workingDir, Path stdin, Path outputFile, Duration timeout) {
        return run(command, workingDir, stdin, outputFile, outputFile, timeout);
    }

    /**
     * {@link #run(List, Path, Path, Path, Duration)} with standard output to {@code stdout} and
     * standard error to {@code stderr}; the result's output is then the standard error (when
     * stdout is data, such as clang's AST dump).
     */
    public static Result run(List<String> command, Path workingDir, Path stdin, Path stdout, Path stderr, Duration timeout) {
        var builder = new ProcessBuilder(command)
                .directory(workingDir.toFile())
                .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
                                             : ProcessBuilder.Redirect.from(stdin.toFile()));
        if (stdout.equals(stderr)) builder.redirectErrorStream(true).redirectOutput(stdout.toFile());
        else builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw FileAccessException.of("run", Path.of(command.getFirst()), e);
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                throw new CompileException(command.getFirst() + " did not finish within "
                        + timeout.toSeconds() + " s and was killed", readQuietly(stderr));
            }
            return new Result(process.exitValue(), readText(stderr));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CompileException("interrupted while waiting for " + command.getFirst(), "");
        } catch (IOException e) {
            throw FileAccessException.of("read the output of " + command.getFirst() + " in", stderr, e);
        }
    }

    /** Decodes leniently: diagnostics quote source lines, which need not be valid UTF-8. */
    public static String readText(Path file) throws IOException {
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
