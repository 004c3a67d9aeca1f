package dev.jbcc.tools;

import dev.jbcc.errors.BpfException;
import dev.jbcc.errors.CompileException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * How the {@code jbcc} command and its tools report an error: one line {@code name: …} (clang's own
 * diagnostics for a compile error), exit status 1, or 2 for a usage error; the stack trace only
 * under {@code --verbose} or {@code JBCC_DEBUG=1}.
 */
public final class Errors {
    /** Exit status when jbcc reports an error of its own (picocli uses 2 for usage errors). */
    public static final int EXIT_ERROR = 1;

    private Errors() {
    }

    /** Installs the handlers on {@code cl}: errors as {@link #report}, usage errors as one line. */
    public static CommandLine handled(CommandLine cl) {
        cl.setExecutionExceptionHandler(Errors::reportError);
        cl.setParameterExceptionHandler(Errors::reportUsageError);
        return cl;
    }

    private static int reportUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        String command = cl.getCommandSpec().qualifiedName();
        cl.getErr().println("jbcc: " + e.getMessage() + " (usage: " + command + " --help)");
        cl.getErr().flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int reportError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        if (e instanceof CommandLine.ParameterException p) return reportUsageError(p, new String[0]);
        boolean trace = debugRequested();
        for (var p = parsed; p != null && !trace; p = p.subcommand()) trace = p.hasMatchedOption("--verbose");
        report(e, cl.getErr(), trace, "jbcc");
        return EXIT_ERROR;
    }

    /** {@code JBCC_DEBUG} set to anything but empty or 0: errors come with their stack trace. */
    public static boolean debugRequested() {
        String debug = System.getenv("JBCC_DEBUG");
        return debug != null && !debug.isEmpty() && !debug.equals("0");
    }

    /** An error as the user should read it, each line starting with {@code tool: }. */
    public static void report(Throwable e, PrintWriter err, boolean trace, String tool) {
        if (e instanceof CompileException ce && !ce.diagnostics().isBlank()) {
            // clang's own output is what a C programmer expects to read; add only jbcc's hints.
            err.print(ce.diagnostics());
            if (!ce.diagnostics().endsWith("\n")) err.println();
            ce.getMessage().lines().filter(line -> !ce.diagnostics().contains(line))
                    .forEach(line -> err.println(tool + ": " + line));
        } else {
            err.println(tool + ": " + describe(e));
        }
        if (trace) e.printStackTrace(err);
        err.flush();
    }

    /** The message of an error, without Java's class names; for one jbcc did not expect, a pointer to JBCC_DEBUG. */
    public static String describe(Throwable e) {
        if (e instanceof BpfException) return e.getMessage();
        if (e instanceof UncheckedIOException u) return describe(u.getCause());
        if (e instanceof NoSuchFileException f) return "no such file: " + f.getFile();
        if (e instanceof AccessDeniedException a) return "permission denied: " + a.getFile();
        if (e instanceof FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : "cannot access");
        }
        if (e instanceof IOException) return e.getMessage() != null ? e.getMessage() : "input/output error";
        String what = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return what + " (an error jbcc did not expect; JBCC_DEBUG=1 prints where it happened)";
    }
}
