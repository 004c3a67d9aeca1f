package dev.jbcc.tools.jvm;

import picocli.CommandLine.Parameters;

/** A {@link JvmTool} that also takes the PID as bcc's first positional argument ({@code javagc 1234}). */
public abstract class JvmPidTool extends JvmTool {
    @Parameters(index = "0", arity = "0..1", paramLabel = "PID", description = "Same as -p (bcc's form).")
    Integer pidArgument;

    @Override
    protected Integer pidArgument() {
        return pidArgument;
    }
}
