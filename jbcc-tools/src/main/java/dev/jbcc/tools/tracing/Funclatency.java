package dev.jbcc.tools.tracing;

import dev.jbcc.bcc.ArrayTable;
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

/** {@code jbcc funclatency}: how long functions take, as a histogram. */
@Command(name = "funclatency", mixinStandardHelpOptions = true,
        description = {"Time kernel or user functions from entry to return and print the latency as a histogram."},
        footer = {"", "examples:",
                "    jbcc funclatency do_sys_open        # time the kernel's do_sys_open()",
                "    jbcc funclatency c:read             # time read() of the C library",
                "    jbcc funclatency -u vfs_read        # in microseconds",
                "    jbcc funclatency -m do_nanosleep    # in milliseconds",
                "    jbcc funclatency -i 2 -d 10 c:open  # a histogram every 2 seconds, for 10 seconds",
                "    jbcc funclatency -mTi 5 vfs_read    # every 5 seconds, with the time",
                "    jbcc funclatency -p 181 vfs_read    # process 181 only",
                "    jbcc funclatency 'vfs_fstat*'       # vfs_fstat() and vfs_fstatat() together",
                "    jbcc funclatency -F 'c:*printf'     # one histogram per function of the printf family",
                "    jbcc funclatency -l 4 ./prog:walk   # time recursive calls up to 4 deep",
                "    jbcc funclatency --json c:malloc    # JSON histograms"})
public final class Funclatency extends Tool {
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

    @Option(names = {"-F", "--function"}, description = "Show a separate histogram per function.")
    boolean perFunction;

    @Option(names = {"-r", "--regexp"}, description = "Use regular expressions. Default is \"*\" wildcards only.")
    boolean regexp;

    @Option(names = {"-l", "--level"}, paramLabel = "LEVEL", description = "Time nested or recursive calls up to this depth (default 1).")
    int level = 1;

    @Parameters(index = "0", paramLabel = "pattern", description = "Search expression for functions.")
    String pattern;

    @Override
    protected void run(Session s) {
        if (micros && millis) throw usage("-u and -m cannot be used together");
        if (level < 1 || level > 32) throw usage("level must be 1..32, not " + level);
        Probe probe;
        Intervals.Period every;
        try {
            probe = Probe.parse(pattern);
            every = Intervals.forDuration(interval, duration);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        if (probe.kind() == Probe.Kind.TRACEPOINT || probe.kind() == Probe.Kind.USDT) throw usage("funclatency times functions; a tracepoint or USDT probe has no return (try funcinterval)");
        int filterPid = pid == null ? -1 : pid;
        List<Probe.Site> sites = probe.sites(regexp, filterPid);
        if (sites.size() > 500) throw usage(sites.size() + " functions match '" + pattern + "'; at most 500 can be timed at once: narrow the pattern");
        List<Probe.Site> returns = sites.stream().map(Probe.Site::returning).toList();

        StringBuilder c = new StringBuilder();
        for (int i = 0; i < sites.size(); i++) {
            c.append(sites.get(i).define("enter_" + i, "    return enter(" + i + ");", false));
            c.append(returns.get(i).define("leave_" + i, "    return leave(" + i + ");", false));
        }
        String unit = millis ? "msecs" : micros ? "usecs" : "nsecs";
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", filterPid);
        defines.put("LEVEL", level);
        defines.put("FACTOR", millis ? 1_000_000 : micros ? 1000 : 1);
        defines.put("PER_FUNCTION", perFunction ? 1 : 0);
        try (BPF b = s.load(Funclatency.class, "funclatency.bpf.c", c.toString(), defines)) {
            for (int i = 0; i < sites.size(); i++) {
                sites.get(i).attach(b, "enter_" + i, filterPid, false);
                returns.get(i).attach(b, "leave_" + i, filterPid, false);
            }
            KeyedTable<?> dist = b.get("dist");
            ArrayTable avg = b.get("avg");
            Histogram.Options options = Histogram.Options.defaults().withValType(unit);
            if (perFunction) options = options.withSection("Function", k -> sites.get(((Number) k).intValue()).display());
            Histogram.Options shown = options;
            s.ready();
            s.note("Tracing " + sites.size() + " functions for \"" + pattern + "\"... Hit Ctrl-C to end.");
            Intervals.every(s, every, () -> {
                if (!s.json()) {
                    s.out().println();
                    if (timestamp) s.out().println(Session.clock());
                }
                s.log2Hist(dist, shown);
                long total = avg.get(0).value(), count = avg.get(1).value();
                if (count > 0) {
                    if (s.json()) s.object(Map.of("avg", total / count, "total", total, "count", count, "unit", unit));
                    else s.out().printf("%navg = %d %s, total: %d %s, count: %d%n%n", total / count, unit, total, unit, count);
                }
                dist.clear();
                avg.zero();
            });
            s.note("Detaching...");
        }
    }
}
