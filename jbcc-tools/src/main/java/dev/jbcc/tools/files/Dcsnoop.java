package dev.jbcc.tools.files;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;

/** {@code jbcc dcsnoop}: directory entry cache (dcache) lookups. */
@Command(name = "dcsnoop", mixinStandardHelpOptions = true,
        description = {"Trace directory entry cache (dcache) lookups: the failed ones, or with -a all of them."},
        footer = {"", "examples:",
                "    jbcc dcsnoop                   # failed dcache lookups (M)",
                "    jbcc dcsnoop -a                # all lookups: references (R) too",
                "    jbcc dcsnoop --json            # one JSON object per lookup",
                "",
                "Needs kprobes (d_lookup and lookup_fast have no tracepoints)."})
public final class Dcsnoop extends Tool {
    /** lookup_fast, or the copy the compiler made of it ("lookup_fast.constprop.0"). */
    static final String LOOKUP_FAST = "^lookup_fast$|^lookup_fast\\.constprop\\.\\d+$";

    @Option(names = {"-a", "--all"}, description = "Trace all lookups (default is fails only).")
    boolean all;

    @Override
    protected void run(Session s) {
        Columns columns = Columns.of("%-11.6f %-7d %-16s %1s %s", "TIME(s)", "PID", "COMM", "T", "FILE");
        Hook hook = s.choose(Hook.kprobe("d_lookup"));
        try (BPF b = s.load(Dcsnoop.class, "dcsnoop.bpf.c", hook, Map.of())) {
            if (all) b.attachKprobeRegex(LOOKUP_FAST, "reference");
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                s.row(columns, s.elapsedSeconds(), e.getLong("pid"), e.getString("comm"), e.getLong("kind") == 0 ? "M" : "R",
                        e.getString("name"));
            });
            s.header(columns);
            s.pollUntilStopped(b, null);
        }
    }
}
