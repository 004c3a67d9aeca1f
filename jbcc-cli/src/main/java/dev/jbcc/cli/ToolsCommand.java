package dev.jbcc.cli;

import dev.jbcc.tools.Tools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code jbcc tools}: the tool collection, grouped, one line each. */
@Command(name = "tools", mixinStandardHelpOptions = true,
        description = "List the tools (bcc's collection on jbcc), grouped, with what each shows.")
public final class ToolsCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        Tools.list(out);
        return 0;
    }
}
