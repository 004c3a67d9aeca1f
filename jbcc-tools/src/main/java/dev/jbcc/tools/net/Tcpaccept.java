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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc tcpaccept}: passive TCP connections, as accept(2) returns them. */
@Command(name = "tcpaccept", mixinStandardHelpOptions = true,
        description = {"Trace TCP accepts: each passive open with the accepting process, addresses and ports."},
        footer = {"", "examples:",
                "    jbcc tcpaccept                 # every TCP accept()",
                "    jbcc tcpaccept -T              # with a time column (HH:MM:SS)",
                "    jbcc tcpaccept -t              # with a timestamp column",
                "    jbcc tcpaccept -P 80,81        # local ports 80 and 81 only",
                "    jbcc tcpaccept -p 181          # process 181 only",
                "    jbcc tcpaccept -4              # IPv4 only (-6: IPv6 only)",
                "    jbcc tcpaccept --cgroupmap /sys/fs/bpf/cg   # only cgroups in this pinned map (--mntnsmap: mount namespaces)",
                "    jbcc tcpaccept --json          # one JSON object per accept"})
public final class Tcpaccept extends Tool {
    @Option(names = {"-T", "--time"}, description = "Include a time column (HH:MM:SS).")
    boolean time;

    @Option(names = {"-t", "--timestamp"}, description = "Include a timestamp column (seconds since the first accept).")
    boolean timestamp;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-P", "--port"}, paramLabel = "PORT", description = "Comma-separated local ports to trace.")
    String ports;

    @Mixin
    Inet.Families families = new Inet.Families();

    @Mixin
    Containers containers = new Containers();

    @Override
    protected void run(Session s) {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_FAMILY", families.family());
        try {
            defines.put("LPORT_OK", Inet.portTest("lport", ports));
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        Columns columns = Columns.of("%-7d %-12.12s %-2d %-16s %-5d %-16s %-5d", "PID", "COMM", "IP", "RADDR", "RPORT", "LADDR", "LPORT");
        Stamps stamps = new Stamps(time, timestamp);
        Columns out = stamps.prepend(columns, "%-9s", "%-9.3f");

        Hook hook = s.choose(Hook.tracepoint("syscalls:sys_exit_accept4", "syscalls:sys_exit_accept"));
        try (BPF b = s.load("tcpaccept.bpf.c", containers.c() + Inet.withSocketC(Tcpaccept.class, "tcpaccept.bpf.c"), hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                List<Object> row = stamps.start(e.getLong("ts_us") * 1000);
                row.addAll(List.of(e.getLong("pid"), e.getString("comm"), Inet.version(e.getLong("family")),
                        Inet.address(e, "raddr"), e.getLong("rport"), Inet.address(e, "laddr"), e.getLong("lport")));
                s.row(out, row.toArray());
            });
            s.header(out);
            s.pollUntilStopped(b, null);
        }
    }
}
