package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc wqlat}: kernel workqueue latency, from queueing to execution, as a histogram. */
@Command(name = "wqlat", mixinStandardHelpOptions = true,
        description = {"Summarize kernel workqueue latency (queued to started) as a histogram."},
        footer = {"", "examples:",
                "    jbcc wqlat                     # one histogram of all work, on Ctrl-C",
                "    jbcc wqlat 1 10                # every second, 10 times",
                "    jbcc wqlat -W 1 10             # a histogram per workqueue, every second, 10 times",
                "    jbcc wqlat -NT 1               # nanoseconds, with a timestamp, every second",
                "    jbcc wqlat -w kblockd 1        # workqueue kblockd only, every second",
                "    jbcc wqlat --json -W 5         # the histograms as JSON every 5 seconds"})
public final class Wqlat extends Tool {
    private static final int WQ_NAME_LEN = 24;

    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-N", "--nanoseconds"}, description = "Output in nanoseconds.")
    boolean nanoseconds;

    @Option(names = {"-W", "--workqueues"}, description = "Print a histogram per workqueue.")
    boolean workqueues;

    @Option(names = {"-w", "--wqname"}, paramLabel = "WQNAME", description = "Trace this workqueue only.")
    String wqname;

    @Mixin
    Interval interval;

    @Override
    protected void run(Session s) {
        if (wqname != null && (wqname.length() >= WQ_NAME_LEN || !wqname.matches("[A-Za-z0-9_./:-]+"))) {
            throw usage("workqueue name must be under " + WQ_NAME_LEN + " characters of letters, digits and _./:-, not '" + wqname + "'");
        }
        Hook hook = s.choose(Hook.tracepoint("workqueue:workqueue_queue_work", "workqueue:workqueue_execute_start"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FACTOR", nanoseconds ? 1 : 1000);
        defines.put("PER_WQ", workqueues ? 1 : 0);
        defines.put("WQ_FILTER", wqname == null ? 0 : 1);
        if (wqname != null) defines.put("WQ_NAME", "\"" + wqname + "\"");
        try (BPF b = s.load(Wqlat.class, "wqlat.bpf.c", hook, defines)) {
            KeyedTable<?> dist = b.get("dist");
            Histogram.Options options = Histogram.Options.defaults().withValType(nanoseconds ? "nsecs" : "usecs")
                    .withSection("wqname", String::valueOf);
            s.ready();
            s.note("Tracing work queue request latency time... Hit Ctrl-C to end.");
            Intervals.every(s, interval.period(), () -> {
                if (!s.json()) {
                    s.out().println();
                    if (timestamp) s.out().println(Session.clock());
                }
                s.log2Hist(dist, options);
                dist.clear();
            });
        }
    }
}
