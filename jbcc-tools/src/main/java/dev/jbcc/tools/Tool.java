package dev.jbcc.tools;

import dev.jbcc.bcc.StopSignal;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * A tool: its options are picocli fields of the subclass (bcc's own flags), its work is
 * {@link #run(Session)}. The kit adds {@code --json} and {@code --verbose}, stops it on Ctrl-C
 * (or {@link ToolRun#stop}), and reports errors as one line.
 */
public abstract class Tool implements Callable<Integer> {
    @Spec
    protected CommandLine.Model.CommandSpec spec;

    @Mixin
    protected ToolOptions options = new ToolOptions();

    /** Set by {@link ToolRun} for an in-process run; null on the command line (Ctrl-C stops it). */
    Stop stop;
    Runnable onReady = () -> { };

    /**
     * Traces and prints until stopped (or for the tool's own duration or count). Throw
     * {@link #usage} for a bad combination of options, jbcc's exceptions for anything else.
     */
    protected abstract void run(Session s) throws Exception;

    @Override
    public final Integer call() throws Exception {
        String name = spec.name().startsWith("jbcc ") ? spec.name().substring(5) : spec.name();
        var cl = spec.commandLine();
        return execute(name, cl.getOut(), cl.getErr());
    }

    /**
     * Runs the tool with its options as they are (set without picocli, e.g. by a tool's own fast
     * parser), Ctrl-C stopping it; exceptions propagate.
     */
    public final int execute(String name, java.io.PrintWriter out, java.io.PrintWriter err) throws Exception {
        Stop stop = this.stop != null ? this.stop : new Stop();
        Session session = new Session(name, out, err, options, stop, onReady);
        try (StopSignal signal = this.stop == null ? stop.trapSignals() : null) {
            run(session);
            return 0;
        } finally {
            session.ready(); // a tool that failed before it was ready must not leave a waiting caller hanging
            out.flush();
        }
    }

    /** A usage error (exit status 2) naming what is wrong with the options. */
    protected CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Whether {@code --verbose} (or {@code -v}) was given. */
    protected boolean verbose() {
        return options.verbose;
    }
}
