package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc runqslower}: each run queue wait longer than a threshold. */
@Command(name = "runqslower", mixinStandardHelpOptions = true,
        description = {"Trace high run queue latency: each wait for a CPU longer than a threshold."},
        footer = {"", "examples:",
                "    jbcc runqslower                # waits over 10000 us (the default)",
                "    jbcc runqslower 1000           # waits over 1000 us",
                "    jbcc runqslower -p 123         # only the threads of process 123",
                "    jbcc runqslower -t 123         # only thread 123",
                "    jbcc runqslower -P             # also the task that ran before, and its TID",
                "    jbcc runqslower --json 0       # every wait, one JSON object each"})
public final class Runqslower extends Tool {
    @Option(names = {"-P", "--previous"}, description = "Also show the previous task's name and TID.")
    boolean previous;

    @ArgGroup(exclusive = true)
    Target target;

    static final class Target {
        @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
        Integer pid;

        @Option(names = {"-t", "--tid"}, paramLabel = "TID", description = "Trace this TID only.")
        Integer tid;
    }

    @Parameters(index = "0", arity = "0..1", paramLabel = "min_us", description = "Minimum run queue latency to trace, in us (default ${DEFAULT-VALUE}).")
    long minUs = 10_000;

    @Override
    protected void run(Session s) {
        if (minUs < 0) throw usage("min_us must be 0 or more, not " + minUs);
        Columns columns = previous
                ? Columns.of("%-8s %-16s %-6d %14d %-16s %-6d", "TIME", "COMM", "TID", "LAT(us)", "PREV COMM", "PREV TID")
                : Columns.of("%-8s %-16s %-6d %14d", "TIME", "COMM", "TID", "LAT(us)");
        Hook hook = s.choose(Hook.rawTracepoint("sched_wakeup", "sched_wakeup_new", "sched_switch"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("MIN_US", minUs);
        defines.put("FILTER_TGID", target == null || target.pid == null ? -1 : target.pid);
        defines.put("FILTER_TID", target == null || target.tid == null ? -1 : target.tid);
        try (BPF b = s.load(Runqslower.class, "runqslower.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                if (previous) {
                    s.row(columns, Session.clock(), e.getString("task"), e.getLong("pid"), e.getLong("delta_us"),
                            e.getString("prev_task"), e.getLong("prev_pid"));
                } else {
                    s.row(columns, Session.clock(), e.getString("task"), e.getLong("pid"), e.getLong("delta_us"));
                }
            });
            s.note("Tracing run queue latency higher than " + minUs + " us");
            s.header(columns);
            s.pollUntilStopped(b, null);
        }
    }
}
