package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;

/** {@code jbcc gethostlatency}: host name lookups through libc, with how long each took. */
@Command(name = "gethostlatency", mixinStandardHelpOptions = true,
        description = {"Show the latency of host name lookups: getaddrinfo() and gethostbyname[2]() in libc."},
        footer = {"", "examples:",
                "    jbcc gethostlatency            # every lookup through libc",
                "    jbcc gethostlatency -p 181     # process 181 only",
                "    jbcc gethostlatency --json     # one JSON object per lookup"})
public final class Gethostlatency extends Tool {
    private static final String[] FUNCTIONS = {"getaddrinfo", "gethostbyname", "gethostbyname2"};

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Override
    protected void run(Session s) {
        Columns out = Columns.of("%-9s %-7d %-16s %10.2f %s", "TIME", "PID", "COMM", "LATms", "HOST");
        try (BPF b = s.load(Gethostlatency.class, "gethostlatency.bpf.c", Map.of("FILTER_PID", pid == null ? -1 : pid))) {
            for (String f : FUNCTIONS) {
                b.attachUprobe("c", f, "lookup_entry", pid == null ? -1 : pid);
                b.attachUretprobe("c", f, "lookup_return", pid == null ? -1 : pid);
            }
            s.verbose("uprobes on libc's " + String.join(", ", FUNCTIONS));
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                s.row(out, Session.clock(), e.getLong("pid"), e.getString("comm"), e.getLong("delta_ns") / 1e6, e.getString("host"));
            });
            s.header(out);
            s.pollUntilStopped(b, null);
        }
    }
}
