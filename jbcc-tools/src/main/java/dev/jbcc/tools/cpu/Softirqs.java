package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Hook;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code jbcc softirqs}: time in soft interrupts (or their number), per kind. */
@Command(name = "softirqs", mixinStandardHelpOptions = true,
        description = {"Summarize soft irq event time as totals or histograms."},
        footer = {"", "examples:",
                "    jbcc softirqs                  # total time in each kind of soft irq, on Ctrl-C",
                "    jbcc softirqs -C               # how many of each kind instead",
                "    jbcc softirqs -d               # a histogram of the times of each kind",
                "    jbcc softirqs 1 10             # every second, ten times",
                "    jbcc softirqs -NT 1            # every second, in nanoseconds, with the time",
                "    jbcc softirqs -c 1             # only on CPU 1"})
public final class Softirqs extends IrqSummary {
    /** The kernel's softirq_to_name, in vector order. */
    static final List<String> NAMES = List.of("hi", "timer", "net_tx", "net_rx", "block", "irq_poll", "tasklet", "sched", "hrtimer", "rcu");

    @Option(names = {"-C", "--events"}, description = "Show the number of soft irq events.")
    boolean events;

    @Override
    boolean counts() {
        return events;
    }

    @Override
    String what() {
        return "soft irq";
    }

    @Override
    Hook hook() {
        return Hook.tracepoint("irq:softirq_entry", "irq:softirq_exit");
    }

    @Override
    String column() {
        return "SOFTIRQ";
    }

    @Override
    String columnFormat() {
        return "%-16s";
    }

    @Override
    String section() {
        return "softirq";
    }

    @Override
    String name(Object key) {
        long vec = key instanceof Value v ? v.value() : ((Number) key).longValue();
        return vec >= 0 && vec < NAMES.size() ? NAMES.get((int) vec) : "[unknown]";
    }
}
