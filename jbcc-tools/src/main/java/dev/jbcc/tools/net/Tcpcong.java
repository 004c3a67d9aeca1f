package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Inet;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc tcpcong}: time each TCP flow spent in each congestion control state. */
@Command(name = "tcpcong", mixinStandardHelpOptions = true,
        description = {"Summarize how long TCP flows spent in each congestion control state (open, disorder, cwr, recovery, loss)."},
        footer = {"", "examples:",
                "    jbcc tcpcong                   # per-flow state durations, printed on Ctrl-C",
                "    jbcc tcpcong 1 10              # 1 second summaries, 10 of them",
                "    jbcc tcpcong -L 3000-3006 1    # 1 second summaries, local ports 3000 to 3006 only",
                "    jbcc tcpcong -R 5000 1         # 1 second summaries, remote port 5000 only",
                "    jbcc tcpcong -uT 1             # 1 second summaries in microseconds, with the time",
                "    jbcc tcpcong -d                # the durations as a histogram per state",
                "    jbcc tcpcong --json            # one JSON object per flow (per histogram with -d)",
                "",
                "Needs the tcp:tcp_cong_state_set tracepoint (Linux 5.19 and later)."})
public final class Tcpcong extends Tool {
    private static final String[] STATES = {"open", "disorder", "cwr", "recovery", "loss"};

    @Option(names = {"-L", "--localport"}, paramLabel = "LOCALPORT", description = "Trace this local port, or range of ports (3000-3006), only.")
    String localPorts;

    @Option(names = {"-R", "--remoteport"}, paramLabel = "REMOTEPORT", description = "Trace this remote port, or range of ports, only.")
    String remotePorts;

    @Option(names = {"-T", "--timestamp"}, description = "Include the time (HH:MM:SS) before each summary.")
    boolean timestamp;

    @Option(names = {"-d", "--dist"}, description = "Show the durations as histograms, one per state.")
    boolean dist;

    @Option(names = {"-u", "--microseconds"}, description = "Output in microseconds (default: milliseconds).")
    boolean microseconds;

    @Mixin
    Interval interval;

    @Override
    protected void run(Session s) {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("LPORT_OK", rangeTest("lport", localPorts));
        defines.put("DPORT_OK", rangeTest("dport", remotePorts));
        defines.put("DIST", dist ? 1 : 0);
        defines.put("MICROSECONDS", microseconds ? 1 : 0);
        String unit = microseconds ? "us" : "ms";
        String[] names = {"Open_" + unit, "Dod_" + unit, "Rcov_" + unit, "Cwr_" + unit, "Los_" + unit, "Chgs"};
        Columns v4 = Columns.of("%-21s %-21s %-7d %-6d %-7d %-7d %-6d %-5d", "LAddrPort", "RAddrPort",
                names[0], names[1], names[2], names[3], names[4], names[5]);
        Columns v6 = Columns.of("%-32s %-32s %-7d %-7d %-7d %-6d %-6d %-5d", "LAddrPort6", "RAddrPort6",
                names[0], names[1], names[2], names[3], names[4], names[5]);

        Hook hook = s.choose(Hook.tracepoint("tcp:tcp_cong_state_set"));
        try (BPF b = s.load("tcpcong.bpf.c", Inet.withSocketC(Tcpcong.class, "tcpcong.bpf.c"), hook, defines)) {
            KeyedTable<Value> stats = b.get("stats");
            KeyedTable<?> histograms = dist ? b.get("dist") : null;
            s.ready();
            s.note("Tracing tcp congestion control status duration... Hit Ctrl-C to end.");
            Intervals.every(s, interval.period(), () -> {
                Intervals.heading(s, timestamp);
                if (dist) {
                    s.log2Hist(histograms, Histogram.Options.defaults().withValType(microseconds ? "usecs" : "msecs")
                            .withSection("tcp_congest_state", k -> state(((Number) k).longValue())));
                    histograms.clear();
                } else {
                    List<Map.Entry<Value, Value>> flows = stats.items().stream()
                            .sorted(Comparator.comparingLong(e -> e.getKey().getLong("lport"))).toList();
                    table(s, v4, flows, Inet.AF_INET);
                    table(s, v6, flows, Inet.AF_INET6);
                }
                stats.clear();
            });
        }
    }

    /** The flows of {@code family} that changed state, under a header if there are any flows of it. */
    private void table(Session s, Columns columns, List<Map.Entry<Value, Value>> flows, int family) {
        List<Map.Entry<Value, Value>> mine = flows.stream().filter(e -> e.getKey().getLong("family") == family).toList();
        if (mine.isEmpty()) return;
        if (!s.json()) s.out().println(columns.header());
        long divisor = microseconds ? 1 : 1000;
        for (var e : mine) {
            Value k = e.getKey(), v = e.getValue();
            if (v.getLong("changes") == 0) continue;
            s.row(columns, Inet.address(k, "saddr") + "/" + k.getLong("lport"), Inet.address(k, "daddr") + "/" + k.getLong("dport"),
                    v.getLong("open_us") / divisor, v.getLong("disorder_us") / divisor, v.getLong("recovery_us") / divisor,
                    v.getLong("cwr_us") / divisor, v.getLong("loss_us") / divisor, v.getLong("changes"));
        }
    }

    private static String state(long state) {
        return state >= 0 && state < STATES.length ? STATES[(int) state] : Long.toString(state);
    }

    /** A C test of {@code variable} for bcc's port or port range ({@code 3000} or {@code 3000-3006}); {@code 1} for none. */
    private String rangeTest(String variable, String range) {
        if (range == null) return "1";
        String[] ends = range.split("-", -1);
        if (ends.length > 2) throw usage("'" + range + "' is not a port or a range of ports such as 3000-3006");
        List<Integer> ports;
        try {
            ports = Inet.ports(String.join(",", ends));
        } catch (IllegalArgumentException e) {
            throw usage("'" + range + "' is not a port or a range of ports such as 3000-3006: " + e.getMessage());
        }
        int low = Math.min(ports.getFirst(), ports.getLast()), high = Math.max(ports.getFirst(), ports.getLast());
        return "(" + variable + " >= " + low + " && " + variable + " <= " + high + ")";
    }
}
