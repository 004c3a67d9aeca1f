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

/** {@code jbcc tcplife}: TCP sessions as they close, with their duration and bytes. */
@Command(name = "tcplife", mixinStandardHelpOptions = true,
        description = {"Trace the lifespan of TCP sessions: one line per closed session with its bytes and duration."},
        footer = {"", "examples:",
                "    jbcc tcplife                   # every TCP session that closes",
                "    jbcc tcplife -T                # with a time column (HH:MM:SS)",
                "    jbcc tcplife -w                # wide columns (fit IPv6 addresses)",
                "    jbcc tcplife -stT              # comma-separated, with time and timestamp",
                "    jbcc tcplife -p 181            # process 181 only",
                "    jbcc tcplife -L 80,81          # local ports 80 and 81 only",
                "    jbcc tcplife -D 80             # remote port 80 only",
                "    jbcc tcplife -4                # IPv4 only (-6: IPv6 only)",
                "    jbcc tcplife --json            # one JSON object per session"})
public final class Tcplife extends Tool {
    @Option(names = {"-T", "--time"}, description = "Include a time column (HH:MM:SS).")
    boolean time;

    @Option(names = {"-t", "--timestamp"}, description = "Include a timestamp column (seconds since the first session).")
    boolean timestamp;

    @Option(names = {"-w", "--wide"}, description = "Wide columns (fit IPv6 addresses).")
    boolean wide;

    @Option(names = {"-s", "--csv"}, description = "Comma-separated values.")
    boolean csv;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

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
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        String[] names = {"PID", "COMM", "IP", "LADDR", "LPORT", "RADDR", "RPORT", "TX_KB", "RX_KB", "MS"};
        Columns columns = csv ? Columns.of("%d,%s,%d,%s,%d,%s,%d,%d,%d,%.2f", names)
                : wide ? Columns.of("%-7d %-16.16s %-2d %-26s %-5d %-26s %-5d %6d %6d %.2f", names)
                : Columns.of("%-5d %-10.10s %-15s %-5d %-15s %-5d %5d %5d %.2f",
                        "PID", "COMM", "LADDR", "LPORT", "RADDR", "RPORT", "TX_KB", "RX_KB", "MS");
        Stamps stamps = new Stamps(time, timestamp);
        Columns out = stamps.prepend(columns, csv ? "%s," : "%-8s ", csv ? "%.6f," : "%-9.6f ");
        boolean ipColumn = csv || wide;

        Hook hook = s.choose(Hook.tracepoint("sock:inet_sock_set_state"));
        try (BPF b = s.load("tcplife.bpf.c", Inet.withSocketC(Tcplife.class, "tcplife.bpf.c"), hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                List<Object> row = stamps.start(e.getLong("ts_us") * 1000);
                row.add(e.getLong("pid"));
                row.add(e.getString("comm"));
                if (ipColumn) row.add(Inet.version(e.getLong("family")));
                row.addAll(List.of(Inet.address(e, "saddr"), e.getLong("lport"), Inet.address(e, "daddr"), e.getLong("dport"),
                        e.getLong("tx_b") / 1024, e.getLong("rx_b") / 1024, e.getLong("span_us") / 1000.0));
                s.row(out, row.toArray());
            });
            s.header(out);
            s.pollUntilStopped(b, null);
        }
    }
}
