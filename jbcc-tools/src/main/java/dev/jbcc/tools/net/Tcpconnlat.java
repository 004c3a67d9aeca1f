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
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc tcpconnlat}: how long active TCP connects take, SYN sent to the peer's answer. */
@Command(name = "tcpconnlat", mixinStandardHelpOptions = true,
        description = {"Trace TCP connects and show their latency, from the SYN to the peer's answer."},
        footer = {"", "examples:",
                "    jbcc tcpconnlat                # every TCP connect, with its latency",
                "    jbcc tcpconnlat 1              # connects that took 1 ms or more only",
                "    jbcc tcpconnlat 0.1            # connects that took 0.1 ms or more only",
                "    jbcc tcpconnlat -t             # with a timestamp column",
                "    jbcc tcpconnlat -p 181         # process 181 only",
                "    jbcc tcpconnlat -L             # with the local port",
                "    jbcc tcpconnlat -4             # IPv4 only (-6: IPv6 only)",
                "    jbcc tcpconnlat --json         # one JSON object per connect"})
public final class Tcpconnlat extends Tool {
    @Option(names = {"-t", "--timestamp"}, description = "Include a timestamp column (seconds since the first connect).")
    boolean timestamp;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-L", "--lport"}, description = "Include the local port.")
    boolean lport;

    @Mixin
    Inet.Families families = new Inet.Families();

    @Parameters(index = "0", arity = "0..1", paramLabel = "duration_ms", description = "Minimum latency to show, in milliseconds.")
    Double minMs;

    @Override
    protected void run(Session s) {
        if (minMs != null && minMs < 0) throw usage("duration_ms must not be negative, not " + minMs);
        int family = families.family();
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("MIN_US", minMs == null ? 0 : Math.round(minMs * 1000));
        Columns columns = lport
                ? Columns.of("%-7d %-12.12s %-2d %-16s %-6d %-16s %-5d %.2f", "PID", "COMM", "IP", "SADDR", "LPORT", "DADDR", "DPORT", "LAT(ms)")
                : Columns.of("%-7d %-12.12s %-2d %-16s %-16s %-5d %.2f", "PID", "COMM", "IP", "SADDR", "DADDR", "DPORT", "LAT(ms)");
        Stamps stamps = new Stamps(false, timestamp);
        Columns out = stamps.prepend(columns, null, "%-9.3f");

        Hook hook = s.choose(Hook.tracepoint("sock:inet_sock_set_state"));
        try (BPF b = s.load("tcpconnlat.bpf.c", Inet.withSocketC(Tcpconnlat.class, "tcpconnlat.bpf.c"), hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                if (family != 0 && e.getLong("family") != family) return;
                List<Object> row = stamps.start(e.getLong("ts_us") * 1000);
                row.addAll(List.of(e.getLong("pid"), e.getString("comm"), Inet.version(e.getLong("family")), Inet.address(e, "saddr")));
                if (lport) row.add(e.getLong("lport"));
                row.addAll(List.of(Inet.address(e, "daddr"), e.getLong("dport"), e.getLong("delta_us") / 1000.0));
                s.row(out, row.toArray());
            });
            s.header(out);
            s.pollUntilStopped(b, null);
        }
    }
}
