package dev.jbcc.tools.tracing;

import dev.jbcc.bcc.ArrayTable;
import dev.jbcc.bcc.BPF;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Probe;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc funccount}: how often functions and tracepoints fire. */
@Command(name = "funccount", mixinStandardHelpOptions = true,
        description = {"Count calls of kernel or user functions, or hits of tracepoints, matching a pattern."},
        footer = {"", "examples:",
                "    jbcc funccount 'vfs_*'              # kernel functions whose names start with vfs_",
                "    jbcc funccount -r '^vfs.*'          # the same as a regular expression",
                "    jbcc funccount -Ti 5 'vfs_*'        # a summary every 5 seconds, with the time",
                "    jbcc funccount -d 10 'vfs_*'        # for 10 seconds only",
                "    jbcc funccount -p 185 'vfs_*'       # calls by process 185 only",
                "    jbcc funccount t:sched:sched_fork   # the sched_fork tracepoint",
                "    jbcc funccount 't:syscalls:sys_enter_*'  # every syscall entry tracepoint",
                "    jbcc funccount c:malloc             # malloc() of the C library",
                "    jbcc funccount -p 185 u:node:gc*    # USDT probes gc* of node, in process 185",
                "    jbcc funccount ./test:read*         # read* functions of the ./test binary",
                "    jbcc funccount -c 1 'vfs_*'         # on CPU 1 only",
                "    jbcc funccount --json 'c:str*'      # one JSON object per function and summary"})
public final class Funccount extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", description = "Summary interval, seconds.")
    Integer interval;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration of trace, seconds.")
    Integer duration;

    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-r", "--regexp"}, description = "Use regular expressions. Default is \"*\" wildcards only.")
    boolean regexp;

    @Option(names = {"-D", "--debug"}, description = "Print the BPF program's generated part before starting.")
    boolean debug;

    @Option(names = {"-c", "--cpu"}, paramLabel = "CPU", description = "Trace this CPU only.")
    Integer cpu;

    @Parameters(index = "0", paramLabel = "pattern", description = "Search expression for events.")
    String pattern;

    static final Columns COLUMNS = Columns.of("%-36s %8d", "FUNC", "COUNT");

    @Override
    protected void run(Session s) {
        Probe probe;
        Intervals.Period every;
        try {
            probe = Probe.parse(pattern);
            every = Intervals.forDuration(interval, duration);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        int filterPid = pid == null ? -1 : pid;
        List<Probe.Site> sites = probe.sites(regexp, filterPid);
        if (sites.size() > 1000) throw usage(sites.size() + " places match '" + pattern + "'; at most 1000 can be counted at once: narrow the pattern");

        StringBuilder c = new StringBuilder();
        for (int i = 0; i < sites.size(); i++) c.append(sites.get(i).define("probe_" + i, "    return count(" + i + ");", false));
        if (debug) s.note(c.toString());
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("NSITES", sites.size());
        defines.put("FILTER_PID", filterPid);
        defines.put("FILTER_CPU", cpu == null ? -1 : cpu);
        try (BPF b = s.load(Funccount.class, "funccount.bpf.c", c.toString(), defines, Probe.usdtContexts(sites, Probe.functions("probe_", sites.size()), filterPid))) {
            for (int i = 0; i < sites.size(); i++) sites.get(i).attach(b, "probe_" + i, filterPid, false);
            ArrayTable counts = b.get("counts");
            s.ready();
            s.note("Tracing " + sites.size() + " functions for \"" + pattern + "\"... Hit Ctrl-C to end.");
            Intervals.every(s, every, () -> {
                List<long[]> rows = new ArrayList<>();
                for (int i = 0; i < sites.size(); i++) {
                    long n = counts.get(i).value();
                    if (n > 0) rows.add(new long[]{i, n});
                }
                rows.sort(Comparator.comparingLong(r -> r[1]));
                if (!s.json()) {
                    s.out().println();
                    if (timestamp) s.out().println(Session.clock());
                }
                s.header(COLUMNS);
                for (long[] r : rows) s.row(COLUMNS, sites.get((int) r[0]).display(), r[1]);
                counts.zero();
            });
            s.note("Detaching...");
        }
    }
}
