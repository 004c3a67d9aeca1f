package dev.jbcc.cli;

import dev.jbcc.BpfException;
import dev.jbcc.CompileException;
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
        subcommands = {VersionCommand.class, BtfCommand.class, CompileCommand.class, RunCommand.class,
                       dev.jbcc.cli.tools.OpensnoopCommand.class,
                       CommandLine.HelpCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {

    /** Exit status when jbcc reports an error of its own (picocli uses 2 for usage errors). */
    public static final int EXIT_ERROR = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int status = commandLine().execute(args);
        System.exit(status);
    }

    /** The command tree, with jbcc's errors printed as one clear message instead of a trace. */
    public static CommandLine commandLine() {
        var cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::reportError);
        return cl;
    }

    /** {@code jbcc} alone: show what it can do, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return spec.commandLine().getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int reportError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) throws Exception {
        if (!(e instanceof BpfException bpf)) throw e;
        PrintWriter err = cl.getErr();
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
        return EXIT_ERROR;
    }
}
