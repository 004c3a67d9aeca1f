package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Hook;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jbcc hardirqs}: time in hard interrupt handlers (or their number), per handler. */
@Command(name = "hardirqs", mixinStandardHelpOptions = true,
        description = {"Summarize hard irq event time as totals or histograms."},
        footer = {"", "examples:",
                "    jbcc hardirqs                  # total time in each interrupt handler, on Ctrl-C",
                "    jbcc hardirqs -C               # how many interrupts each handler took instead",
                "    jbcc hardirqs -d               # a histogram of the times of each handler",
                "    jbcc hardirqs 1 10             # every second, ten times",
                "    jbcc hardirqs -NT 1            # every second, in nanoseconds, with the time",
                "    jbcc hardirqs -c 1             # only on CPU 1"})
public final class Hardirqs extends IrqSummary {
    @Option(names = {"-C", "--count"}, description = "Show event counts instead of timing.")
    boolean events;

    @Override
    boolean counts() {
        return events;
    }

    @Override
    String what() {
        return "hard irq";
    }

    @Override
    Hook hook() {
        return Hook.rawTracepoint("irq_handler_entry", "irq_handler_exit");
    }

    @Override
    String column() {
        return "HARDIRQ";
    }

    @Override
    String columnFormat() {
        return "%-26s";
    }

    @Override
    String section() {
        return "hardirq";
    }

    @Override
    String name(Object key) {
        return key instanceof Value v ? v.getString("name") : String.valueOf(key);
    }
}
