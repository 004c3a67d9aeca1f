package dev.jbcc.cli;

import dev.jbcc.tools.Errors;
import dev.jbcc.tools.Tools;
import dev.jbcc.tools.jvm.Jvm;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code jbcc jvm}: the tools that look into running JVMs ({@code jbcc jvm threads -p PID}, …), the
 * {@link Tools.Group#JVM} group of the registry. Alone, it lists the running JVMs.
 */
@Command(name = "jvm", mixinStandardHelpOptions = true,
        description = {"Look into running JVMs through HotSpot's USDT probes; alone, list the running JVMs."},
        footer = {"", "examples:",
                "    jbcc jvm                        # the running JVMs: PID, what they run, their libjvm.so",
                "    jbcc jvm threads -p 1234        # threads of JVM 1234 as they start and stop",
                "    jbcc jvm gc                     # every JVM's garbage collections"})
public final class JvmCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code jbcc jvm} with a subcommand per JVM tool, jbcc's error handling. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new JvmCommand());
        cl.setCommandName("jvm");
        for (Tools.Entry e : Tools.all()) {
            if (e.group() == Tools.Group.JVM) {
                String name = e.name().substring("jvm ".length());
                CommandLine tool = Tools.commandLine(e, e.create());
                tool.setCommandName(name); // under jvm: its usage says "jbcc jvm NAME"
                cl.addSubcommand(name, tool);
            }
        }
        return Errors.handled(cl);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-7s %-40s %s%n", "PID", "NAME", "LIBJVM");
        for (Jvm j : Jvm.running()) out.printf("%-7d %-40s %s%n", j.pid(), j.name(), j.libjvm());
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println("jbcc jvm TOOL -p PID: " + String.join(", ", spec.subcommands().keySet().stream()
                .filter(n -> !n.equals("help")).toList()) + " (jbcc jvm TOOL --help for each)");
        err.flush();
        return 0;
    }
}
