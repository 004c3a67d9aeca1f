package dev.jbcc.cli;

import dev.jbcc.errors.BpfException;
import dev.jbcc.errors.CompileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * The {@code jbcc} command. Each subcommand is its own class; {@link #commandLine()} wires them,
 * so tests run the same tree in-process with {@link CommandLine#execute}.
 */
@Command(name = "jbcc",
        description = "The BPF Compiler Collection for Java.",
        versionProvider = VersionCommand.Provider.class,
        subcommands = {VersionCommand.class, BtfCommand.class, CompileCommand.class, GenCommand.class, RunCommand.class,
                       CacheCommand.class, CleanupCommand.class,
                       dev.jbcc.cli.tools.OpensnoopCommand.class,
                       CommandLine.HelpCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {

    /** Exit status when jbcc reports an error of its own (picocli uses 2 for usage errors). */
    public static final int EXIT_ERROR = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    CommonOptions common;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print version information and exit.")
    boolean version;

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("opensnoop")) {
            // The tool's usual options, parsed without picocli; anything else goes through it.
            var opensnoop = dev.jbcc.cli.tools.OpensnoopCommand.parseSimple(java.util.Arrays.copyOfRange(args, 1, args.length));
            if (opensnoop != null) System.exit(runTool(opensnoop));
        }
        CommandLine tool = args.length > 0 ? toolCommandLine(args[0]) : null;
        int status = tool != null
                ? tool.execute(java.util.Arrays.copyOfRange(args, 1, args.length))
                : commandLine().execute(args);
        System.exit(status);
    }

    /** The command tree, with jbcc's errors printed as one clear message instead of a trace. */
    public static CommandLine commandLine() {
        var cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::reportError);
        cl.setParameterExceptionHandler(Main::reportUsageError);
        return cl;
    }

    /**
     * A long-running tool ({@code jbcc opensnoop}) as a command of its own, or null for any other
     * name. picocli builds the model of every subcommand by reflection, in the interpreter, before
     * it parses anything (its Java 5 classes are not pre-linked by the AOT cache): a tool alone
     * starts sooner. Usage, errors and exit codes are the same as through the tree.
     */
    public static CommandLine toolCommandLine(String name) {
        Object tool = switch (name) {
            case "opensnoop" -> new dev.jbcc.cli.tools.OpensnoopCommand();
            default -> null;
        };
        if (tool == null) return null;
        var cl = new CommandLine(tool);
        cl.setCommandName("jbcc " + name);
        cl.setExecutionExceptionHandler(Main::reportError);
        cl.setParameterExceptionHandler(Main::reportUsageError);
        return cl;
    }

    /** A tool parsed without picocli: its output on stdout, errors reported as through picocli. */
    private static int runTool(dev.jbcc.cli.tools.OpensnoopCommand tool) {
        PrintWriter out = new PrintWriter(System.out, true);
        try {
            return tool.run(out);
        } catch (RuntimeException e) {
            report(e, new PrintWriter(System.err, true), debugRequested());
            return EXIT_ERROR;
        } finally {
            out.flush();
        }
    }

    /** {@code jbcc} alone: show what it can do, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return spec.commandLine().getCommandSpec().exitCodeOnInvalidInput();
    }

    /** A usage error: one line naming it and where the usage is, exit status 2. */
    private static int reportUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        String command = cl.getCommandSpec().qualifiedName();
        cl.getErr().println("jbcc: " + e.getMessage() + " (usage: " + command + " --help)");
        cl.getErr().flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int reportError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        boolean trace = debugRequested();
        for (var p = parsed; p != null && !trace; p = p.subcommand()) trace = p.hasMatchedOption("--verbose");
        report(e, cl.getErr(), trace);
        return EXIT_ERROR;
    }

    /**
     * Whether standard output is a pipe: a write to it then fails only when its reader has gone
     * ({@code | head}), which a command takes as the end of its output, not as an error.
     */
    static boolean standardOutputIsAPipe() {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/1")).toString().startsWith("pipe:");
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code JBCC_DEBUG} set to anything but empty or 0: errors come with their stack trace. */
    static boolean debugRequested() {
        String debug = System.getenv("JBCC_DEBUG");
        return debug != null && !debug.isEmpty() && !debug.equals("0");
    }

    /**
     * An error as the user should read it: one line {@code jbcc: …} (clang's own diagnostics for
     * a compile error), and the stack trace only when asked for.
     */
    static void report(Throwable e, PrintWriter err, boolean trace) {
        report(e, err, trace, "jbcc");
    }

    /** As {@link #report(Throwable, PrintWriter, boolean)}, each line starting with {@code tool: }. */
    static void report(Throwable e, PrintWriter err, boolean trace, String tool) {
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
    static String describe(Throwable e) {
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
