package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
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

/** {@code jbcc cpudist}: on-CPU (or off-CPU) time per scheduling, as a histogram. */
@Command(name = "cpudist", mixinStandardHelpOptions = true,
        description = {"Summarize on- and off-CPU time per task as a histogram."},
        footer = {"", "examples:",
                "    jbcc cpudist                   # how long threads run before switching out",
                "    jbcc cpudist -O                # how long threads stay off the CPU instead",
                "    jbcc cpudist 1 10              # a histogram every second, ten times",
                "    jbcc cpudist -mT 1             # every second, in milliseconds, with the time",
                "    jbcc cpudist -P                # one histogram per process",
                "    jbcc cpudist -L -p 185         # one histogram per thread of process 185",
                "    jbcc cpudist -I                # count the idle task too",
                "    jbcc cpudist -e                # add average, total and count"})
public final class Cpudist extends Tool {
    @Option(names = {"-O", "--offcpu"}, description = "Measure off-CPU time.")
    boolean offcpu;

    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-m", "--milliseconds"}, description = "Millisecond histogram.")
    boolean milliseconds;

    @Option(names = {"-P", "--pids"}, description = "Print a histogram per process ID.")
    boolean pids;

    @Option(names = {"-L", "--tids"}, description = "Print a histogram per thread ID.")
    boolean tids;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-I", "--include-idle"}, description = "Include CPU idle time.")
    boolean idle;

    @Option(names = {"-e", "--extension"}, description = "Show extension summary (average/total/count).")
    boolean extension;

    @Mixin
    Interval interval;

    @Override
    protected void run(Session s) {
        if (pids && tids) throw usage("-P and -L cannot be used together");
        Hook hook = s.choose(Hook.rawTracepoint("sched_switch"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("OFFCPU", offcpu ? 1 : 0);
        defines.put("FILTER_TGID", pid == null ? -1 : pid);
        defines.put("SECTION", pids ? 1 : tids ? 2 : 0);
        defines.put("INCLUDE_IDLE", idle ? 1 : 0);
        defines.put("FACTOR", milliseconds ? 1_000_000 : 1000);
        defines.put("EXTENSION", extension ? 1 : 0);
        String unit = milliseconds ? "msecs" : "usecs";
        try (BPF b = s.load(Cpudist.class, "cpudist.bpf.c", hook, defines)) {
            s.ready();
            s.note("Tracing " + (offcpu ? "off" : "on") + "-CPU time... Hit Ctrl-C to end.");
            KeyedTable<?> dist = b.get("dist");
            KeyedTable<?> ext = b.get("ext");
            Histogram.Options options = Histogram.Options.defaults().withValType(unit);
            if (pids) options = options.withSection("pid", String::valueOf);
            if (tids) options = options.withSection("tid", String::valueOf);
            Intervals.log2(s, dist, options, timestamp, interval.period(), () -> {
                if (extension) {
                    printExtension(s, ext, unit);
                    ext.clear();
                }
            });
        }
    }

    private void printExtension(Session s, KeyedTable<?> ext, String unit) {
        for (var e : ext.items()) {
            Value v = (Value) e.getValue();
            long total = v.getLong("total"), n = v.getLong("count");
            String section = pids ? "pid = " + e.getKey().value() + ", " : tids ? "tid = " + e.getKey().value() + ", " : "";
            if (s.json()) {
                Map<String, Object> o = new LinkedHashMap<>();
                if (pids || tids) o.put(pids ? "pid" : "tid", e.getKey().value());
                o.put("avg", n == 0 ? 0 : total / n);
                o.put("total", total);
                o.put("count", n);
                o.put("unit", unit);
                s.object(o);
            } else {
                s.out().printf("%savg = %d %s, total: %d %s, count: %d%n", section, n == 0 ? 0 : total / n, unit, total, unit, n);
            }
        }
    }
}
