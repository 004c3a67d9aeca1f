package dev.jbcc.tools.block;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Disks;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

import java.util.Map;

/** {@code jbcc biopattern}: the share of random and sequential block I/O per disk. */
@Command(name = "biopattern", mixinStandardHelpOptions = true,
        description = {"Show the block I/O pattern per disk: the percentage of random and sequential I/O, and how much."},
        footer = {"", "examples:",
                "    jbcc biopattern                # one line per disk when stopped with Ctrl-C",
                "    jbcc biopattern 1 10           # every second, 10 times",
                "    jbcc biopattern -d sdb         # disk sdb only",
                "    jbcc biopattern --json 5       # one JSON object per disk every 5 seconds"})
public final class Biopattern extends Tool {
    static final Columns COLUMNS = Columns.of("%-9s %-7s %5d %5d %8d %10d", "TIME", "DISK", "%RND", "%SEQ", "COUNT", "KBYTES");

    @Option(names = {"-d", "--disk"}, paramLabel = "DISK", description = "Trace this disk only.")
    String disk;

    @Mixin
    Interval interval;

    @Override
    protected void run(Session s) {
        long dev = disk == null ? -1 : Disks.dev(disk).orElseThrow(() -> usage("no disk named " + disk + " in /sys/class/block"));
        Hook hook = s.choose(Hook.tracepoint("block:block_rq_complete"));
        try (BPF b = s.load(Biopattern.class, "biopattern.bpf.c", hook, Map.of("FILTER_DEV", dev))) {
            KeyedTable<Value> counters = b.get("counters");
            s.header(COLUMNS);
            Intervals.every(s, interval.period(), () -> {
                for (var e : counters.items()) {
                    Value c = e.getValue();
                    long random = c.getLong("random"), total = random + c.getLong("sequential");
                    if (total == 0) continue;
                    long randomPercent = Math.round(random * 100.0 / total);
                    s.row(COLUMNS, Session.clock(), Disks.name(e.getKey().value()), randomPercent, 100 - randomPercent,
                            total, c.getLong("bytes") / 1024);
                }
                counters.clear();
            });
        }
    }
}
