package dev.jbcc.cli;

import dev.jbcc.errors.BpfException;
import dev.jbcc.errors.CompileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code jbcc} command. Each subcommand is its own class; {@link #commandLine()} wires them,
 * so tests run the same tree in-process with {@link CommandLine#execute}.
 */
@Command(name = "jbcc",
        description = "The BPF Compiler Collection for Java.",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        subcommands = {VersionCommand.class, BtfCommand.class, CompileCommand.class, GenCommand.class, RunCommand.class,
                       dev.jbcc.cli.tools.OpensnoopCommand.class,
                       CommandLine.HelpCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {

    /** Exit status when jbcc reports an error of its own (picocli uses 2 for usage errors). */
    public static final int EXIT_ERROR = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
        return cl;
    }

    /** A tool parsed without picocli: its output on stdout, jbcc's errors reported as through picocli. */
    private static int runTool(dev.jbcc.cli.tools.OpensnoopCommand tool) {
        PrintWriter out = new PrintWriter(System.out, true);
        try {
            return tool.run(out);
        } catch (BpfException e) {
            PrintWriter err = new PrintWriter(System.err, true);
            report(e, err);
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

    private static int reportError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) throws Exception {
        if (!(e instanceof BpfException bpf)) throw e;
        report(bpf, cl.getErr());
        return EXIT_ERROR;
    }

    private static void report(BpfException bpf, PrintWriter err) {
        if (bpf instanceof CompileException ce && !ce.diagnostics().isBlank()) {
            // clang's own output is what a C programmer expects to read; add only jbcc's hints.
            err.print(ce.diagnostics());
            if (!ce.diagnostics().endsWith("\n")) err.println();
            ce.getMessage().lines().filter(line -> !ce.diagnostics().contains(line))
                    .forEach(line -> err.println("jbcc: " + line));
        } else {
            err.println("jbcc: " + bpf.getMessage());
        }
        err.flush();
    }
}
