package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Containers;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Inet;
import dev.jbcc.tools.LoadAverage;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc tcptop}: TCP throughput per process and connection, top first, every interval. */
@Command(name = "tcptop", mixinStandardHelpOptions = true,
        description = {"Summarize TCP send and receive throughput by process and connection, busiest first."},
        footer = {"", "examples:",
                "    jbcc tcptop                    # refresh every second",
                "    jbcc tcptop -C                 # do not clear the screen",
                "    jbcc tcptop -p 181             # process 181 only",
                "    jbcc tcptop 5 10               # 5 second summaries, 10 times",
                "    jbcc tcptop -4                 # IPv4 only (-6: IPv6 only)",
                "    jbcc tcptop --cgroupmap /sys/fs/bpf/cg      # only cgroups in this pinned map (--mntnsmap: mount namespaces)",
                "    jbcc tcptop --json             # one JSON object per connection and interval"})
public final class Tcptop extends Tool {
    @Option(names = {"-C", "--noclear"}, description = "Do not clear the screen.")
    boolean noClear;

    @Option(names = {"-S", "--nosummary"}, description = "Skip the system summary line.")
    boolean noSummary;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Mixin
    Inet.Families families = new Inet.Families();

    @Mixin
    Containers containers = new Containers();

    @Parameters(index = "0", arity = "0..1", paramLabel = "interval", description = "Output interval, in seconds (default 1).")
    int interval = 1;

    @Parameters(index = "1", arity = "0..1", paramLabel = "count", description = "Number of outputs.")
    long count;

    private record Flow(long pid, String comm, long family, String local, String remote) {
    }

    @Override
    protected void run(Session s) {
        if (interval <= 0) throw usage("interval must be positive, not " + interval);
        if (count < 0) throw usage("count must be positive, not " + count);
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_FAMILY", families.family());
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        Columns v4 = Columns.of("%-7d %-12.12s %-21s %-21s %6d %6d", "PID", "COMM", "LADDR", "RADDR", "RX_KB", "TX_KB");
        Columns v6 = Columns.of("%-7d %-12.12s %-32s %-32s %6d %6d", "PID", "COMM", "LADDR6", "RADDR6", "RX_KB", "TX_KB");

        Hook hook = s.choose(Hook.kprobe("tcp_sendmsg", "tcp_cleanup_rbuf"),
                Hook.tracepoint("sock:sock_send_length", "sock:sock_recv_length"));
        try (BPF b = s.load("tcptop.bpf.c", containers.c() + Inet.withSocketC(Tcptop.class, "tcptop.bpf.c"), hook, defines)) {
            KeyedTable<?> sent = b.get("sent");
            KeyedTable<?> received = b.get("received");
            s.ready();
            s.note("Tracing... Output every " + interval + " secs. Hit Ctrl-C to end");
            s.everyInterval(Duration.ofSeconds(interval), count, () -> {
                Map<Flow, long[]> flows = new LinkedHashMap<>();
                add(flows, sent.itemsLookupAndDeleteBatch(), 1);
                add(flows, received.itemsLookupAndDeleteBatch(), 0);
                if (!s.json()) {
                    s.out().print(noClear ? "\n" : "\033[H\033[2J");
                    if (!noSummary) s.out().printf("%-8s loadavg: %s%n", Session.clock(), LoadAverage.text());
                }
                List<Map.Entry<Flow, long[]>> sorted = new ArrayList<>(flows.entrySet());
                sorted.sort((x, y) -> Long.compare(y.getValue()[0] + y.getValue()[1], x.getValue()[0] + x.getValue()[1]));
                for (long family : new long[]{Inet.AF_INET, Inet.AF_INET6}) {
                    Columns c = family == Inet.AF_INET ? v4 : v6;
                    boolean header = false;
                    for (var e : sorted) {
                        Flow f = e.getKey();
                        if (f.family() != family) continue;
                        if (!header && !s.json()) s.out().println((family == Inet.AF_INET6 ? "\n" : "") + c.header());
                        header = true;
                        s.row(c, f.pid(), f.comm(), f.local(), f.remote(), e.getValue()[0] / 1024, e.getValue()[1] / 1024);
                    }
                }
            });
        }
    }

    /** Adds each entry's bytes to its flow's [received, sent] at {@code index}. */
    private static void add(Map<Flow, long[]> flows, List<? extends Map.Entry<Value, ?>> entries, int index) {
        for (var e : entries) {
            Value k = e.getKey();
            Flow f = new Flow(k.getLong("pid"), k.getString("comm"), k.getLong("family"),
                    Inet.address(k, "laddr") + ":" + k.getLong("lport"), Inet.address(k, "daddr") + ":" + k.getLong("dport"));
            flows.computeIfAbsent(f, x -> new long[2])[index] += ((Value) e.getValue()).value();
        }
    }
}
