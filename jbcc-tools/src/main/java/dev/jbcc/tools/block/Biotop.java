package dev.jbcc.tools.block;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Disks;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.LoadAverage;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc biotop}: block device I/O by process, top-like, every interval. */
@Command(name = "biotop", mixinStandardHelpOptions = true,
        description = {"Summarize block device I/O by process, disk and direction every interval, busiest first."},
        footer = {"", "examples:",
                "    jbcc biotop                    # a table of disk I/O by process every second",
                "    jbcc biotop -C                 # print each table below the last, no screen clearing",
                "    jbcc biotop -p 181             # only the I/O that PID 181 queues",
                "    jbcc biotop -r 5 5 10          # the top 5 rows, every 5 seconds, 10 times",
                "    jbcc biotop --json 1 3         # one JSON object per interval"})
public final class Biotop extends Tool {
    static final Columns COLUMNS = Columns.of("%-7d %-16s %1s %-3d %-3d %-8s %5d %7d %6.2f",
            "PID", "COMM", "D", "MAJ", "MIN", "DISK", "I/O", "Kbytes", "AVGms");

    @Option(names = {"-C", "--noclear"}, description = "Don't clear the screen.")
    boolean noclear;

    @Option(names = {"-r", "--maxrows"}, paramLabel = "MAXROWS", description = "Maximum rows to print (default ${DEFAULT-VALUE}).")
    int maxrows = 20;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Mixin
    Interval interval;

    @Override
    protected void run(Session s) {
        if (maxrows <= 0) throw usage("--maxrows must be positive, not " + maxrows);
        Hook hook = s.choose(Biosnoop.HOOK);
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_DEV", -1);
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("PATTERN", 0);
        defines.put("TOP", 1);
        boolean clear = !noclear && !s.json() && System.console() != null;
        try (BPF b = s.load(Biotop.class, "biosnoop.bpf.c", hook, defines)) {
            KeyedTable<Value> counts = b.get("counts");
            s.ready();
            s.note("Tracing... Output every " + interval.every(1).toSeconds() + " secs. Hit Ctrl-C to end");
            Intervals.every(s, interval.period(1), () -> {
                List<Map.Entry<Value, Value>> rows = new ArrayList<>(counts.items());
                counts.clear();
                rows.sort(Comparator.comparingLong((Map.Entry<Value, Value> e) -> e.getValue().getLong("bytes")).reversed());
                print(s, rows.subList(0, Math.min(maxrows, rows.size())), clear);
            });
            if (!s.json()) s.out().println("Detaching...");
        }
    }

    private static void print(Session s, List<Map.Entry<Value, Value>> rows, boolean clear) {
        String loadavg = LoadAverage.text();
        List<Map<String, Object>> objects = new ArrayList<>();
        if (!s.json()) {
            s.out().print(clear ? "\033[H\033[2J" : "\n");
            s.out().printf("%-8s loadavg: %s%n", Session.clock(), loadavg);
            s.out().println(COLUMNS.header());
        }
        for (var e : rows) {
            Value k = e.getKey(), v = e.getValue();
            long dev = k.getLong("dev"), io = v.getLong("io");
            Object[] row = {k.getLong("pid"), k.getString("comm"), k.getLong("write") == 1 ? "W" : "R", dev >>> 20,
                    dev & 0xfffff, Disks.name(dev), io, v.getLong("bytes") / 1024, io == 0 ? 0.0 : v.getLong("us") / 1000.0 / io};
            if (!s.json()) {
                s.out().println(COLUMNS.row(row));
                continue;
            }
            Map<String, Object> object = new LinkedHashMap<>();
            for (int i = 0; i < row.length; i++) object.put(COLUMNS.keys().get(i), row[i]);
            objects.add(object);
        }
        if (s.json()) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("time", Session.clock());
            summary.put("loadavg", loadavg);
            summary.put("processes", objects);
            s.object(summary);
        }
    }
}
