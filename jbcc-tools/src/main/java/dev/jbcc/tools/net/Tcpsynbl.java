package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Inet;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code jbcc tcpsynbl}: the TCP listen backlog new connections find, as histograms. */
@Command(name = "tcpsynbl", mixinStandardHelpOptions = true,
        description = {"Show the TCP SYN backlog: how full each listener's queue was as connections arrived."},
        footer = {"", "examples:",
                "    jbcc tcpsynbl                  # a histogram per backlog limit, on Ctrl-C",
                "    jbcc tcpsynbl -4               # IPv4 only (-6: IPv6 only)",
                "    jbcc tcpsynbl --json           # JSON histograms"})
public final class Tcpsynbl extends Tool {
    @Mixin
    Inet.Families families = new Inet.Families();

    @Override
    protected void run(Session s) {
        int family = families.family();
        List<String> functions = new ArrayList<>();
        if (family != Inet.AF_INET6) functions.add("tcp_v4_syn_recv_sock");
        if (family != Inet.AF_INET) functions.add("tcp_v6_syn_recv_sock");
        Hook hook = s.choose(Hook.kprobe(functions.toArray(String[]::new)), Hook.tracepoint("sock:sk_data_ready"));
        try (BPF b = s.load(Tcpsynbl.class, "tcpsynbl.bpf.c", hook, Map.of("FILTER_FAMILY", family))) {
            if (hook instanceof Hook.Kprobe k) for (String f : k.functions()) b.attachKprobe(f, "syn_recv_sock");
            s.ready();
            s.note("Tracing SYN backlog size. Ctrl-C to end.");
            s.everyInterval(Duration.ofSeconds(99_999_999L), 1, () -> {
                if (!s.json()) s.out().println();
                s.log2Hist(b.get("dist"), Histogram.Options.defaults().withValType("backlog")
                        .withSection("backlog_max", k -> Long.toString(((Number) k).longValue())));
            });
        }
    }
}
