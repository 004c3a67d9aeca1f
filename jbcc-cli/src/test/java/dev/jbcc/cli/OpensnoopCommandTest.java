package dev.jbcc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jbcc opensnoop} in-process on the real kernel: this JVM's own opens must show up. */
class OpensnoopCommandTest {

    static final String HEADER = "PID    COMM               FD ERR PATH";
    static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path temp;

    /** Runs {@code jbcc opensnoop args} on another thread; {@code whileTracing} runs once the header is out. */
    static Result trace(List<String> args, ThrowingRunnable whileTracing) throws Exception {
        CommandLine cl = Main.commandLine();
        var out = new StringWriter();
        var err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        var status = CompletableFuture.supplyAsync(() -> cl.execute(args.toArray(String[]::new)));
        // The header means both tracepoints are attached (the first run also compiles the program).
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!out.toString().startsWith(HEADER) && !status.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(out.toString().startsWith(HEADER), "header printed after attaching; stdout: " + out + " stderr: " + err);
        whileTracing.run();
        int exit = status.get(2, TimeUnit.MINUTES);
        return new Result(exit, out.toString(), err.toString());
    }

    record Result(int status, String out, String err) {}

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** The fd number this process has open on {@code file}, from /proc/self/fd. */
    static int fdOf(Path file) throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(file)) return Integer.parseInt(fd.getFileName().toString());
                } catch (NoSuchFileException closedMeanwhile) {
                    continue; // the directory listing's own fd, or one another thread closed
                }
            }
        }
        throw new AssertionError(file + " is not open in this process");
    }

    static String threadComm() throws IOException {
        return Files.readString(Path.of("/proc/thread-self/comm")).strip();
    }

    @Test
    void printsThisProcesssOpenWithPidCommFdAndPath() throws Exception {
        Path file = Files.writeString(temp.resolve("opensnoop-" + UUID.randomUUID() + ".txt"), "x").toRealPath();
        int[] fd = new int[1];
        String[] comm = new String[1];
        Result r = trace(List.of("opensnoop", "-p", Long.toString(PID), "-d", "3"), () -> {
            comm[0] = threadComm();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                fd[0] = fdOf(file);
            }
        });
        assertEquals(0, r.status(), r.err());
        String expected = String.format("%-6d %-16s %4d %3d %s", PID, comm[0], fd[0], 0, file);
        assertTrue(r.out().lines().anyMatch(expected::equals), "line '" + expected + "' in:\n" + r.out());
        // -p: only this process's opens.
        assertTrue(r.out().lines().skip(1).allMatch(l -> l.startsWith(String.format("%-6d ", PID))), r.out());
    }

    @Test
    void failedOnlyShowsTheErrnoAndHidesSuccessfulOpens() throws Exception {
        Path missing = temp.resolve("missing-" + UUID.randomUUID());
        Path present = Files.writeString(temp.resolve("present-" + UUID.randomUUID()), "x").toRealPath();
        Result r = trace(List.of("opensnoop", "-x", "-p", Long.toString(PID), "-d", "3"), () -> {
            assertThrows(NoSuchFileException.class, () -> FileChannel.open(missing, StandardOpenOption.READ));
            FileChannel.open(present, StandardOpenOption.READ).close();
        });
        assertEquals(0, r.status(), r.err());
        // ENOENT is 2; FD is -1 for a failed open.
        assertTrue(r.out().lines().anyMatch(l -> l.endsWith("   -1   2 " + missing)), r.out());
        assertFalse(r.out().contains(present.toString()), r.out());
    }

    @Test
    void aNameFilterThatMatchesNothingPrintsOnlyTheHeader() throws Exception {
        Path file = Files.writeString(temp.resolve("named-" + UUID.randomUUID()), "x");
        Result r = trace(List.of("opensnoop", "-n", "no-such-comm-" + PID, "-d", "2"),
                () -> FileChannel.open(file, StandardOpenOption.READ).close());
        assertEquals(0, r.status(), r.err());
        assertEquals(HEADER + "\n", r.out());
    }

    @Test
    void helpListsTheOptions() {
        CommandLine cl = Main.commandLine();
        var out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("opensnoop", "--help"));
        for (String option : List.of("-p, --pid=PID", "-d, --duration=SECS", "-x, --failed", "-n, --name=NAME")) {
            assertTrue(out.toString().contains(option), out.toString());
        }
    }

    @Test
    void aNegativePidIsAUsageError() throws Exception {
        CommandLine cl = Main.commandLine();
        var err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute("opensnoop", "-p", "-5"));
        assertTrue(err.toString().contains("-p PID must be positive"), err.toString());
    }

    /** `jbcc opensnoop` starts through Main.toolCommandLine, without the rest of the tree. */
    @Test
    void theToolAloneHasTheTreesUsageAndErrors() {
        var viaTree = new StringWriter();
        CommandLine tree = Main.commandLine();
        tree.setOut(new PrintWriter(viaTree, true));
        assertEquals(0, tree.execute("opensnoop", "--help"));

        var alone = new StringWriter();
        CommandLine tool = Main.toolCommandLine("opensnoop");
        tool.setOut(new PrintWriter(alone, true));
        assertEquals(0, tool.execute("--help"));
        assertEquals(viaTree.toString(), alone.toString());
        assertTrue(alone.toString().startsWith("Usage: jbcc opensnoop "), alone.toString());

        var err = new StringWriter();
        CommandLine bad = Main.toolCommandLine("opensnoop");
        bad.setErr(new PrintWriter(err, true));
        assertEquals(2, bad.execute("-d", "0"));
        assertTrue(err.toString().contains("-d SECS must be positive"), err.toString());
        assertNull(Main.toolCommandLine("btf"));
    }
}
