package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc runqlat}: run queue (scheduler) latency as a histogram. */
@Command(name = "runqlat", mixinStandardHelpOptions = true,
        description = {"Summarize run queue (scheduler) latency as a histogram."},
        footer = {"", "examples:",
                "    jbcc runqlat                   # how long runnable tasks wait for a CPU, until Ctrl-C",
                "    jbcc runqlat 1 10              # a histogram every second, ten times",
                "    jbcc runqlat -mT 1             # every second, in milliseconds, with the time",
                "    jbcc runqlat -P                # one histogram per process",
                "    jbcc runqlat -L                # one histogram per thread",
                "    jbcc runqlat --pidnss          # one histogram per PID namespace",
                "    jbcc runqlat -p 185            # only the threads of process 185",
                "    jbcc runqlat --json 5 1        # one JSON histogram after five seconds"})
public final class Runqlat extends Tool {
    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-m", "--milliseconds"}, description = "Millisecond histogram.")
    boolean milliseconds;

    @Option(names = {"-P", "--pids"}, description = "Print a histogram per process ID.")
    boolean pids;

    @Option(names = "--pidnss", description = "Print a histogram per PID namespace.")
    boolean pidnss;

    @Option(names = {"-L", "--tids"}, description = "Print a histogram per thread ID.")
    boolean tids;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Mixin
    Interval interval;

    @Override
    protected void run(Session s) {
        if ((pids ? 1 : 0) + (tids ? 1 : 0) + (pidnss ? 1 : 0) > 1) throw usage("-P, -L and --pidnss cannot be used together");
        Hook hook = s.choose(Hook.rawTracepoint("sched_wakeup", "sched_wakeup_new", "sched_switch"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_TGID", pid == null ? -1 : pid);
        defines.put("SECTION", pids ? 1 : tids ? 2 : pidnss ? 3 : 0);
        defines.put("FACTOR", milliseconds ? 1_000_000 : 1000);
        try (BPF b = s.load(Runqlat.class, "runqlat.bpf.c", hook, defines)) {
            s.ready();
            s.note("Tracing run queue latency... Hit Ctrl-C to end.");
            KeyedTable<?> dist = b.get("dist");
            Histogram.Options options = Histogram.Options.defaults().withValType(milliseconds ? "msecs" : "usecs");
            if (pids) options = options.withSection("pid", String::valueOf);
            if (tids) options = options.withSection("tid", String::valueOf);
            if (pidnss) options = options.withSection("pidns", String::valueOf);
            Intervals.log2(s, dist, options, timestamp, interval.period(), () -> { });
        }
    }
}
