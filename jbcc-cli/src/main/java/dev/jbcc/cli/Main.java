package dev.jbcc.cli;

import dev.jbcc.tools.Errors;
import dev.jbcc.tools.Tools;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * The {@code jbcc} command. Each subcommand is its own class; {@link #commandLine()} wires them,
 * so tests run the same tree in-process with {@link CommandLine#execute}.
 */
@Command(name = "jbcc",
        description = "The BPF Compiler Collection for Java.",
        versionProvider = VersionCommand.Provider.class,
        subcommands = {VersionCommand.class, BtfCommand.class, CompileCommand.class, GenCommand.class, RunCommand.class,
                       CacheCommand.class, CleanupCommand.class, ToolsCommand.class,
                       CommandLine.HelpCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {

    /** Exit status when jbcc reports an error of its own (picocli uses 2 for usage errors). */
    public static final int EXIT_ERROR = Errors.EXIT_ERROR;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    CommonOptions common;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print version information and exit.")
    boolean version;

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("opensnoop")) {
            // The tool's usual options, parsed without picocli; anything else goes through it.
            var opensnoop = dev.jbcc.tools.files.Opensnoop.parseSimple(java.util.Arrays.copyOfRange(args, 1, args.length));
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
        for (Tools.Entry e : Tools.all()) cl.addSubcommand(e.name(), Tools.commandLine(e, e.create()).setCommandName(e.name()));
        return Errors.handled(cl);
    }

    /**
     * A long-running tool ({@code jbcc opensnoop}) as a command of its own, or null for any other
     * name. picocli builds the model of every subcommand by reflection, in the interpreter, before
     * it parses anything (its Java 5 classes are not pre-linked by the AOT cache): a tool alone
     * starts sooner. Usage, errors and exit codes are the same as through the tree.
     */
    public static CommandLine toolCommandLine(String name) {
        return Tools.find(name).map(e -> Tools.commandLine(e, e.create())).orElse(null);
    }

    /** A tool parsed without picocli: its output on stdout, errors reported as through picocli. */
    private static int runTool(dev.jbcc.tools.files.Opensnoop tool) {
        PrintWriter out = new PrintWriter(System.out, true);
        try {
            return tool.execute("opensnoop", out, new PrintWriter(System.err, true));
        } catch (Exception e) {
            Errors.report(e, new PrintWriter(System.err, true), debugRequested(), "jbcc");
            return EXIT_ERROR;
        } finally {
            out.flush();
        }
    }

    /** {@code jbcc} alone: what it can do (commands, then the tools), as a usage error. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        spec.commandLine().usage(err);
        err.println();
        err.println("Tools (jbcc TOOL --help for each):");
        Tools.list(err);
        return spec.commandLine().getCommandSpec().exitCodeOnInvalidInput();
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
        return Errors.debugRequested();
    }

}
