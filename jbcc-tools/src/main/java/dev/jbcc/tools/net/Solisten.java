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
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc solisten}: stream sockets that start listening. */
@Command(name = "solisten", mixinStandardHelpOptions = true,
        description = {"Trace TCP sockets that start listening, with their backlog, port and address."},
        footer = {"", "examples:",
                "    jbcc solisten                  # every listen() on a TCP socket",
                "    jbcc solisten -p 1234          # process 1234 only",
                "    jbcc solisten --netns 4242     # network namespace 4242 only",
                "    jbcc solisten --show-netns     # with the network namespace's id",
                "    jbcc solisten --json           # one JSON object per listen()"})
public final class Solisten extends Tool {
    @Option(names = "--show-netns", description = "Show the network namespace.")
    boolean showNetns;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-n", "--netns"}, paramLabel = "NETNS", description = "Trace this network namespace (its inode number) only.")
    Long netns;

    @Override
    protected void run(Session s) {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("FILTER_NETNS", netns == null ? 0 : netns);
        Columns out = showNetns
                ? Columns.of("%-7d %-12.12s %-12d %-6s %-8d %-5d %-39s", "PID", "COMM", "NETNS", "PROTO", "BACKLOG", "PORT", "ADDR")
                : Columns.of("%-7d %-12.12s %-6s %-8d %-5d %-39s", "PID", "COMM", "PROTO", "BACKLOG", "PORT", "ADDR");

        Hook hook = s.choose(Hook.tracepoint("syscalls:sys_enter_listen", "syscalls:sys_exit_listen", "sock:inet_sock_set_state"));
        try (BPF b = s.load(Solisten.class, "solisten.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                List<Object> row = new ArrayList<>(List.of(e.getLong("pid"), e.getString("comm")));
                if (showNetns) row.add(e.getLong("netns"));
                row.addAll(List.of("TCPv" + Inet.version(e.getLong("family")), e.getLong("backlog"), e.getLong("lport"),
                        Inet.address(e, "laddr")));
                s.row(out, row.toArray());
            });
            s.header(out);
            s.pollUntilStopped(b, null);
        }
    }
}
