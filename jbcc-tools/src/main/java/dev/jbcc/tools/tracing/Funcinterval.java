package dev.jbcc.tools.tracing;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Probe;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc funcinterval}: the time between calls of a function or hits of a tracepoint. */
@Command(name = "funcinterval", mixinStandardHelpOptions = true,
        description = {"Time the interval between calls of a function, or hits of a tracepoint, as a histogram."},
        footer = {"", "examples:",
                "    jbcc funcinterval do_sys_open           # intervals between do_sys_open() calls",
                "    jbcc funcinterval -u xhci_ring_ep_doorbell   # in microseconds",
                "    jbcc funcinterval -m do_nanosleep       # in milliseconds",
                "    jbcc funcinterval -mTi 5 vfs_read       # every 5 seconds, with the time",
                "    jbcc funcinterval -p 181 vfs_read       # process 181 only",
                "    jbcc funcinterval t:vmscan:mm_vmscan_direct_reclaim_begin   # a tracepoint",
                "    jbcc funcinterval -p 181 -i 3 c:malloc  # malloc() of process 181, every 3 seconds",
                "    jbcc funcinterval /usr/local/bin/python:main   # a function of a binary",
                "    jbcc funcinterval --json -u c:malloc    # JSON histograms"})
public final class Funcinterval extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", description = "Summary interval, in seconds.")
    Integer interval;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration of trace, in seconds.")
    Integer duration;

    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-u", "--microseconds"}, description = "Microsecond histogram.")
    boolean micros;

    @Option(names = {"-m", "--milliseconds"}, description = "Millisecond histogram.")
    boolean millis;

    @Parameters(index = "0", paramLabel = "pattern", description = "Function or tracepoint to time.")
    String pattern;

    @Override
    protected void run(Session s) {
        if (micros && millis) throw usage("-u and -m cannot be used together");
        Probe probe;
        Intervals.Period every;
        try {
            probe = Probe.parse(pattern);
            every = Intervals.forDuration(interval, duration);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        int filterPid = pid == null ? -1 : pid;
        List<Probe.Site> sites = probe.sites(false, filterPid);
        StringBuilder c = new StringBuilder();
        for (int i = 0; i < sites.size(); i++) c.append(sites.get(i).define("probe_" + i, "    return hit();", false));
        String unit = millis ? "msecs" : micros ? "usecs" : "nsecs";
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", filterPid);
        defines.put("FACTOR", millis ? 1_000_000 : micros ? 1000 : 1);
        try (BPF b = s.load(Funcinterval.class, "funcinterval.bpf.c", c.toString(), defines, Probe.usdtContexts(sites, Probe.functions("probe_", sites.size()), filterPid))) {
            for (int i = 0; i < sites.size(); i++) sites.get(i).attach(b, "probe_" + i, filterPid, false);
            KeyedTable<?> dist = b.get("dist");
            Histogram.Options options = Histogram.Options.defaults().withValType(unit);
            s.ready();
            s.note("Tracing " + sites.size() + " functions for \"" + pattern + "\"... Hit Ctrl-C to end.");
            Intervals.every(s, every, () -> {
                if (!s.json()) {
                    s.out().println();
                    if (timestamp) s.out().println(Session.clock());
                }
                s.log2Hist(dist, options);
                dist.clear();
            });
            s.note("Detaching...");
        }
    }
}
