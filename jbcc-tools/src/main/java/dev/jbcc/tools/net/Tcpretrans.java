package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Inet;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc tcpretrans}: TCP retransmissions, with the flow and its state. */
@Command(name = "tcpretrans", mixinStandardHelpOptions = true,
        description = {"Trace TCP retransmits: each with its addresses, ports and the session's state."},
        footer = {"", "examples:",
                "    jbcc tcpretrans                # every TCP retransmit",
                "    jbcc tcpretrans -s             # with the segment's sequence number",
                "    jbcc tcpretrans -c             # count retransmits per flow; print on Ctrl-C",
                "    jbcc tcpretrans -4             # IPv4 only (-6: IPv6 only)",
                "    jbcc tcpretrans --json         # one JSON object per retransmit",
                "    jbcc tcpretrans -l             # with tail loss probes (L>; needs kprobes)",
                "",
                "Tail loss probes that resend a segment are retransmits too (R>); -l adds a line (L>) for",
                "each probe itself, from a kprobe on tcp_send_loss_probe."})
public final class Tcpretrans extends Tool {
    @Option(names = {"-s", "--sequence"}, description = "Display TCP sequence numbers.")
    boolean sequence;

    @Option(names = {"-l", "--lossprobe"}, description = "Include tail loss probe attempts (needs kprobes).")
    boolean lossProbe;

    @Option(names = {"-c", "--count"}, description = "Count retransmits per flow; print on Ctrl-C.")
    boolean count;

    @Mixin
    Inet.Families families = new Inet.Families();

    @Override
    protected void run(Session s) {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_FAMILY", families.family());
        defines.put("SEQUENCE", sequence ? 1 : 0);
        Columns out = sequence
                ? Columns.of("%-8s %-7d %-2d %-20s %1s> %-20s %-12s %d", "TIME", "PID", "IP", "LADDR:LPORT", "T", "RADDR:RPORT", "STATE", "SEQ")
                : Columns.of("%-8s %-7d %-2d %-20s %1s> %-20s %s", "TIME", "PID", "IP", "LADDR:LPORT", "T", "RADDR:RPORT", "STATE");
        Columns counts = Columns.of("%-20s <-> %-20s %10d", "LADDR:LPORT", "RADDR:RPORT", "RETRANSMITS");
        Map<List<String>, Long> flows = new LinkedHashMap<>();

        defines.put("LOSSPROBE", lossProbe ? 1 : 0);
        if (lossProbe) s.choose(Hook.kprobe("tcp_send_loss_probe"));
        Hook hook = s.choose(Hook.tracepoint("tcp:tcp_retransmit_skb"));
        try (BPF b = s.load("tcpretrans.bpf.c", Inet.withSocketC(Tcpretrans.class, "tcpretrans.bpf.c"), hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                if (count) {
                    if (e.getLong("type") == 2) return; // bcc counts retransmits only
                    flows.merge(List.of("[" + Inet.address(e, "saddr") + "]#" + e.getLong("lport"),
                            "[" + Inet.address(e, "daddr") + "]#" + e.getLong("dport")), 1L, Long::sum);
                    return;
                }
                List<Object> row = new ArrayList<>(List.of(Session.clock(), e.getLong("pid"), Inet.version(e.getLong("family")),
                        Inet.address(e, "saddr") + ":" + e.getLong("lport"), e.getLong("type") == 2 ? "L" : "R",
                        Inet.address(e, "daddr") + ":" + e.getLong("dport"), Inet.tcpState(e.getLong("state"))));
                if (sequence) row.add(e.getLong("seq"));
                s.row(out, row.toArray());
            });
            if (count) {
                s.ready();
                s.note("Tracing retransmits ... Hit Ctrl-C to end");
            } else {
                s.note("Tracing retransmits ... Hit Ctrl-C to end");
                s.header(out);
            }
            s.pollUntilStopped(b, null);
            if (count) {
                if (!s.json()) s.out().printf("%n%-25s %-25s %-10s%n", "LADDR:LPORT", "RADDR:RPORT", "RETRANSMITS");
                flows.forEach((k, n) -> s.row(counts, k.get(0), k.get(1), n));
            }
        }
    }
}
