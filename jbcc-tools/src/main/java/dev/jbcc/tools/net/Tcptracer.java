package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Containers;
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

/** {@code jbcc tcptracer}: TCP connections as they are connected, accepted and closed. */
@Command(name = "tcptracer", mixinStandardHelpOptions = true,
        description = {"Trace TCP connections: each connect (C), accept (A) and close (X) with its process, addresses and ports."},
        footer = {"", "examples:",
                "    jbcc tcptracer                 # every TCP connect, accept and close",
                "    jbcc tcptracer -t              # with a timestamp column (seconds since the first event)",
                "    jbcc tcptracer -p 181          # process 181 only",
                "    jbcc tcptracer -N 4026531840   # network namespace 4026531840 only",
                "    jbcc tcptracer -v              # event names, and a network namespace column",
                "    jbcc tcptracer -4              # IPv4 only (-6: IPv6 only)",
                "    jbcc tcptracer --cgroupmap /sys/fs/bpf/cg  # only cgroups in this pinned map (--mntnsmap: mount namespaces)",
                "    jbcc tcptracer --json          # one JSON object per event"})
public final class Tcptracer extends Tool {
    private static final String[] TYPES = {"U", "C", "A", "X"};
    private static final String[] TYPE_NAMES = {"unknown", "connect", "accept", "close"};

    @Option(names = {"-t", "--timestamp"}, description = "Include a timestamp column (seconds since the first event; nanoseconds with -v).")
    boolean timestamp;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-N", "--netns"}, paramLabel = "NETNS", description = "Trace this network namespace (its inode number) only.")
    Long netns;

    @Mixin
    Containers containers = new Containers();

    @Mixin
    Inet.Families families = new Inet.Families();

    @Option(names = "-v", description = "Name the event types, and include a network namespace column (--verbose is jbcc's own: which hooks were chosen).")
    boolean wide;

    @Override
    protected void run(Session s) {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_FAMILY", families.family());
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        if (netns != null && (netns <= 0 || netns > 0xffffffffL)) throw usage("the network namespace " + netns + " is not an inode number");
        defines.put("FILTER_NETNS", netns == null ? 0 : netns + "U");

        Columns columns = wide
                ? Columns.of("%-12s %-6d %-16s %-2d %-16s %-16s %-6d %-6d", "TYPE", "PID", "COMM", "IP", "SADDR", "DADDR", "SPORT", "DPORT")
                : Columns.of("%-2s %-6d %-16s %-2d %-16s %-16s %-6d %-6d", "T", "PID", "COMM", "IP", "SADDR", "DADDR", "SPORT", "DPORT");
        boolean netnsColumn = wide && netns == null;
        if (netnsColumn) columns = columns.append(" %-8d", "NETNS");
        if (timestamp) columns = wide ? columns.prepend("%-14d", "TIME(ns)") : columns.prepend("%-9.3f", "TIME(s)");
        Columns out = columns;
        long[] first = {-1};

        Hook hook = s.choose(Hook.tracepoint("sock:inet_sock_set_state", "syscalls:sys_exit_accept4", "syscalls:sys_exit_accept"));
        try (BPF b = s.load("tcptracer.bpf.c", containers.c() + Inet.withSocketC(Tcptracer.class, "tcptracer.bpf.c"), hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                List<Object> row = new ArrayList<>();
                if (timestamp) {
                    long ts = e.getLong("ts_ns");
                    if (first[0] < 0) first[0] = ts;
                    row.add(wide ? (Object) (ts - first[0]) : (Object) ((ts - first[0]) / 1e9));
                }
                int type = (int) e.getLong("type");
                if (type < 0 || type >= TYPES.length) type = 0;
                long family = e.getLong("family");
                row.addAll(List.of(wide ? TYPE_NAMES[type] : TYPES[type], e.getLong("pid"), e.getString("comm"), Inet.version(family),
                        bracketed(family, Inet.address(e, "saddr")), bracketed(family, Inet.address(e, "daddr")),
                        e.getLong("sport"), e.getLong("dport")));
                if (netnsColumn) row.add(e.getLong("netns"));
                s.row(out, row.toArray());
            });
            s.note("Tracing TCP established connections. Ctrl-C to end.");
            s.header(out);
            s.pollUntilStopped(b, null);
        }
    }

    /** bcc writes IPv6 addresses in brackets. */
    private static String bracketed(long family, String address) {
        return family == Inet.AF_INET6 ? "[" + address + "]" : address;
    }
}
