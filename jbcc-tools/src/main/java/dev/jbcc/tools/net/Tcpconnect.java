package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Containers;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Inet;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Stamps;
import dev.jbcc.tools.Tool;
import dev.jbcc.tools.Users;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc tcpconnect}: active TCP connections, from connect(2). */
@Command(name = "tcpconnect", mixinStandardHelpOptions = true,
        description = {"Trace TCP connects: each active open with its process, addresses and ports."},
        footer = {"", "examples:",
                "    jbcc tcpconnect                # every TCP connect()",
                "    jbcc tcpconnect -t             # with a timestamp column",
                "    jbcc tcpconnect -p 181         # process 181 only",
                "    jbcc tcpconnect -P 80,443      # destination ports 80 and 443 only",
                "    jbcc tcpconnect -4             # IPv4 only (-6: IPv6 only)",
                "    jbcc tcpconnect -U -u 1000     # with a UID column, UID 1000 only",
                "    jbcc tcpconnect -L             # with the local port",
                "    jbcc tcpconnect -c             # count connects per source, destination and port",
                "    jbcc tcpconnect --cgroupmap /sys/fs/bpf/cg  # only cgroups in this pinned map (--mntnsmap: mount namespaces)",
                "    jbcc tcpconnect --json         # one JSON object per connect"})
public final class Tcpconnect extends Tool {
    @Option(names = {"-t", "--timestamp"}, description = "Include a timestamp column (seconds since start).")
    boolean timestamp;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-P", "--port"}, paramLabel = "PORT", description = "Comma-separated destination ports to trace.")
    String ports;

    @Mixin
    Inet.Families families = new Inet.Families();

    @Option(names = {"-L", "--lport"}, description = "Include the local port.")
    boolean lport;

    @Option(names = {"-U", "--print-uid"}, description = "Include a UID column.")
    boolean printUid;

    @Option(names = {"-u", "--uid"}, paramLabel = "UID", description = "Trace this UID (or user name) only.")
    String user;

    @Mixin
    Containers containers = new Containers();

    @Option(names = {"-c", "--count"}, description = "Count connects per source address and destination address and port; print on Ctrl-C.")
    boolean count;

    @Override
    protected void run(Session s) {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_FAMILY", families.family());
        try {
            defines.put("DPORT_OK", Inet.portTest("dport", ports));
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("FILTER_UID", user == null ? -1 : Users.uid(user).orElseThrow(() -> usage("no user " + user)));

        Columns columns = lport
                ? Columns.of("%-7d %-12.12s %-2d %-16s %-6d %-16s %-6d", "PID", "COMM", "IP", "SADDR", "LPORT", "DADDR", "DPORT")
                : Columns.of("%-7d %-12.12s %-2d %-16s %-16s %-6d", "PID", "COMM", "IP", "SADDR", "DADDR", "DPORT");
        if (printUid) columns = columns.prepend("%-6d", "UID");
        Stamps stamps = new Stamps(false, timestamp);
        Columns out = stamps.prepend(columns, null, "%-9.3f");
        Columns counts = Columns.of("%-25s %-25s %-20s %-10d", "LADDR", "RADDR", "RPORT", "CONNECTS");
        Map<List<String>, Long> connects = new LinkedHashMap<>();

        Hook hook = s.choose(Hook.tracepoint("sock:inet_sock_set_state", "syscalls:sys_exit_connect"));
        try (BPF b = s.load("tcpconnect.bpf.c", containers.c() + Inet.withSocketC(Tcpconnect.class, "tcpconnect.bpf.c"), hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                String saddr = Inet.address(e, "saddr"), daddr = Inet.address(e, "daddr");
                if (count) {
                    connects.merge(List.of(saddr, daddr, Long.toString(e.getLong("dport"))), 1L, Long::sum);
                    return;
                }
                List<Object> row = stamps.start(e.getLong("ts_us") * 1000);
                if (printUid) row.add(e.getLong("uid"));
                row.addAll(List.of(e.getLong("pid"), e.getString("comm"), Inet.version(e.getLong("family")), saddr));
                if (lport) row.add(e.getLong("lport"));
                row.addAll(List.of(daddr, e.getLong("dport")));
                s.row(out, row.toArray());
            });
            if (count) {
                s.ready();
                s.note("Tracing connect ... Hit Ctrl-C to end");
            } else {
                s.header(out);
            }
            s.pollUntilStopped(b, null);
            if (count) {
                if (!s.json()) s.out().println("\n" + counts.header());
                connects.forEach((k, n) -> s.row(counts, k.get(0), k.get(1), k.get(2), n));
            }
        }
    }
}
