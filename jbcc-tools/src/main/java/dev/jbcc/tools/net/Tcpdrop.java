package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.StackTrace;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Inet;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Stacks;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** {@code jbcc tcpdrop}: TCP segments the kernel dropped, with the kernel stack of each drop. */
@Command(name = "tcpdrop", mixinStandardHelpOptions = true,
        description = {"Trace TCP drops by the kernel: each dropped segment with its flags and the kernel stack."},
        footer = {"", "examples:",
                "    jbcc tcpdrop                   # every TCP segment the kernel drops",
                "    jbcc tcpdrop -4                # IPv4 only (-6: IPv6 only)",
                "    jbcc tcpdrop --json            # one JSON object per drop, the stack as a list",
                "",
                "STATE is the state of the socket the segment belonged to, ? for one no socket took."})
public final class Tcpdrop extends Tool {
    private static final String[] FLAGS = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

    @Mixin
    Inet.Families families = new Inet.Families();

    @Override
    protected void run(Session s) {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_FAMILY", families.family());
        Columns out = Columns.of("%-8s %-7d %-2d %-20s > %-20s %s (%s)", "TIME", "PID", "IP", "SADDR:SPORT", "DADDR:DPORT", "STATE", "FLAGS");

        Hook hook = s.choose(Hook.tracepoint("skb:kfree_skb"));
        try (BPF b = s.load(Tcpdrop.class, "tcpdrop.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            StackTrace stacks = b.get("stacks");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                List<String> stack = Stacks.kernel(stacks, e.getLong("stack_id"), true, false);
                Object[] row = {Session.clock(), e.getLong("pid"), Inet.version(e.getLong("family")),
                        Inet.address(e, "saddr") + ":" + e.getLong("sport"), Inet.address(e, "daddr") + ":" + e.getLong("dport"),
                        Inet.tcpState(e.getLong("state")), flags(e.getLong("flags"))};
                if (s.json()) {
                    Map<String, Object> object = new LinkedHashMap<>();
                    for (int i = 0; i < row.length; i++) object.put(out.keys().get(i), row[i]);
                    object.put("stack", stack);
                    s.object(object);
                    return;
                }
                s.row(out, row);
                stack.forEach(frame -> s.out().println("\t" + frame));
                s.out().println();
            });
            s.header(out);
            s.pollUntilStopped(b, null);
        }
    }

    /** TCP flags as bcc writes them: {@code SYN|ACK}. */
    static String flags(long bits) {
        StringJoiner names = new StringJoiner("|");
        for (int i = 0; i < FLAGS.length; i++) if ((bits & (1L << i)) != 0) names.add(FLAGS[i]);
        return names.toString();
    }
}
