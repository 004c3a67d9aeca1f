package dev.jbcc.tools.files;

import dev.jbcc.bcc.BPF;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Counters;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Locale;
import java.util.Map;

/** {@code jbcc dcstat}: directory entry cache references, slow lookups, misses and hit ratio per second. */
@Command(name = "dcstat", mixinStandardHelpOptions = true,
        description = {"Show directory entry cache (dcache) references, slow lookups and misses per second, and the hit ratio."},
        footer = {"", "examples:",
                "    jbcc dcstat                    # one line per second",
                "    jbcc dcstat 5 3                # 5 second summaries, 3 of them",
                "    jbcc dcstat --json 1 10        # one JSON object per summary",
                "",
                "Needs kprobes (lookup_fast and d_lookup have no tracepoints)."})
public final class Dcstat extends Tool {
    @Mixin
    Interval interval;

    @Override
    protected void run(Session s) {
        long seconds = interval.every(1).toSeconds();
        Columns columns = Columns.of("%-8s: %8d %8d %8d %8s", "TIME", "REFS/s", "SLOW/s", "MISS/s", "HIT%");
        Hook hook = s.choose(Hook.kprobe("d_lookup"));
        try (BPF b = s.load(Dcstat.class, "dcstat.bpf.c", hook, Map.of())) {
            b.attachKprobeRegex(Dcsnoop.LOOKUP_FAST, "reference");
            Counters stats = new Counters(b.get("stats"), 4);
            StatHeader.print(s, columns);
            Intervals.every(s, interval.period(1), () -> {
                long[] d = stats.growth();
                Double hit = d[1] == 0 ? null : 100.0 * (d[1] - d[3]) / d[1];
                Object shown = s.json() ? hit : hit == null ? "       -%" : String.format(Locale.ROOT, "%8.2f", hit);
                s.row(columns, Session.clock(), d[1] / seconds, d[2] / seconds, d[3] / seconds, shown);
            });
        }
    }
}
