package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Inet;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Stamps;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc tcpstates}: TCP state changes, with the time spent in each state. */
@Command(name = "tcpstates", mixinStandardHelpOptions = true,
        description = {"Trace TCP session state changes and how long each state lasted."},
        footer = {"", "examples:",
                "    jbcc tcpstates                 # every TCP state change",
                "    jbcc tcpstates -t              # with a timestamp column",
                "    jbcc tcpstates -T              # with a time column (HH:MM:SS)",
                "    jbcc tcpstates -w              # wide columns (fit IPv6 addresses)",
                "    jbcc tcpstates -stT            # comma-separated, with time and timestamp",
                "    jbcc tcpstates -L 80,81        # local ports 80 and 81 only",
                "    jbcc tcpstates -D 80           # remote port 80 only",
                "    jbcc tcpstates -4              # IPv4 only (-6: IPv6 only)",
                "    jbcc tcpstates --json          # one JSON object per change"})
public final class Tcpstates extends Tool {
    @Option(names = {"-T", "--time"}, description = "Include a time column (HH:MM:SS).")
    boolean time;

    @Option(names = {"-t", "--timestamp"}, description = "Include a timestamp column (seconds since the first change).")
    boolean timestamp;

    @Option(names = {"-w", "--wide"}, description = "Wide columns (fit IPv6 addresses).")
    boolean wide;

    @Option(names = {"-s", "--csv"}, description = "Comma-separated values.")
    boolean csv;

    @Option(names = {"-L", "--localport"}, paramLabel = "LOCALPORT", description = "Comma-separated local ports to trace.")
    String localPorts;

    @Option(names = {"-D", "--remoteport"}, paramLabel = "REMOTEPORT", description = "Comma-separated remote ports to trace.")
    String remotePorts;

    @Mixin
    Inet.Families families = new Inet.Families();

    @Override
    protected void run(Session s) {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_FAMILY", families.family());
        try {
            defines.put("LPORT_OK", Inet.portTest("lport", localPorts));
            defines.put("DPORT_OK", Inet.portTest("dport", remotePorts));
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        String[] names = {"SKADDR", "C-PID", "C-COMM", "IP", "LADDR", "LPORT", "RADDR", "RPORT", "OLDSTATE", "NEWSTATE", "MS"};
        Columns columns = csv ? Columns.of("%x,%d,%s,%d,%s,%d,%s,%d,%s,%s,%.3f", names)
                : wide ? Columns.of("%-16x %-5d %-16.16s %-2d %-26s %-5d %-26s %-5d %-11s -> %-11s %.3f", names)
                : Columns.of("%-16x %-5d %-10.10s %-15s %-5d %-15s %-5d %-11s -> %-11s %.3f",
                        "SKADDR", "C-PID", "C-COMM", "LADDR", "LPORT", "RADDR", "RPORT", "OLDSTATE", "NEWSTATE", "MS");
        Stamps stamps = new Stamps(time, timestamp);
        Columns out = stamps.prepend(columns, csv ? "%s," : "%-8s ", csv ? "%.6f," : "%-9.6f ");
        boolean ipColumn = csv || wide;

        Hook hook = s.choose(Hook.tracepoint("sock:inet_sock_set_state"));
        try (BPF b = s.load("tcpstates.bpf.c", Inet.withSocketC(Tcpstates.class, "tcpstates.bpf.c"), hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                List<Object> row = stamps.start(e.getLong("ts_us") * 1000);
                row.addAll(List.of(e.getLong("skaddr"), e.getLong("pid"), e.getString("comm")));
                if (ipColumn) row.add(Inet.version(e.getLong("family")));
                row.addAll(List.of(Inet.address(e, "saddr"), e.getLong("lport"), Inet.address(e, "daddr"), e.getLong("dport"),
                        Inet.tcpState(e.getLong("oldstate")), Inet.tcpState(e.getLong("newstate")), e.getLong("delta_us") / 1000.0));
                s.row(out, row.toArray());
            });
            s.header(out);
            s.pollUntilStopped(b, null);
        }
    }
}
