package dev.jbcc.tools.block;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Disks;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc biosnoop}: each block device I/O with its process, disk, sector, size and latency. */
@Command(name = "biosnoop", mixinStandardHelpOptions = true,
        description = {"Trace block device I/O: one line per request with its process, disk, size and latency."},
        footer = {"", "examples:",
                "    jbcc biosnoop                  # every block I/O as it completes",
                "    jbcc biosnoop -Q               # add the time each request waited in the OS queue",
                "    jbcc biosnoop -d sdc           # only I/O to disk sdc",
                "    jbcc biosnoop -P               # mark each I/O sequential (S) or random (R)",
                "    jbcc biosnoop --json           # one JSON object per I/O"})
public final class Biosnoop extends Tool {
    /** What biosnoop.bpf.c attaches to (biotop too). */
    static final Hook HOOK = Hook.tracepoint("block:block_bio_queue", "block:block_rq_issue", "block:block_rq_complete");

    @Option(names = {"-Q", "--queue"}, description = "Include OS queued time.")
    boolean queue;

    @Option(names = {"-d", "--disk"}, paramLabel = "DISK", description = "Trace this disk only.")
    String disk;

    @Option(names = {"-P", "--pattern"}, description = "Show the I/O pattern: sequential (S) or random (R).")
    boolean pattern;

    @Override
    protected void run(Session s) {
        long dev = disk == null ? -1 : Disks.dev(disk).orElseThrow(() -> usage("no disk named " + disk + " in /sys/class/block"));
        StringBuilder format = new StringBuilder("%-11.6f %-14.14s %-7d %-9s %-1s %-10d %-7d");
        List<String> names = new ArrayList<>(List.of("TIME(s)", "COMM", "PID", "DISK", "T", "SECTOR", "BYTES"));
        if (pattern) {
            format.append("%-1s ");
            names.add("P");
        }
        if (queue) {
            format.append("%7.2f ");
            names.add("QUE(ms)");
        }
        format.append("%7.2f");
        names.add("LAT(ms)");
        Columns columns = Columns.of(format.toString(), names.toArray(String[]::new));

        Hook hook = s.choose(HOOK);
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_DEV", dev);
        defines.put("PATTERN", pattern ? 1 : 0);
        defines.put("FILTER_PID", -1);
        defines.put("TOP", 0);
        Map<Long, String> diskNames = new HashMap<>();
        long[] first = {0};
        try (BPF b = s.load(Biosnoop.class, "biosnoop.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                long ts = e.getLong("ts");
                if (first[0] == 0) first[0] = ts;
                List<Object> row = new ArrayList<>(List.of((ts - first[0]) / 1e9, e.getString("comm"), e.getLong("pid"),
                        diskNames.computeIfAbsent(e.getLong("dev"), Disks::name), e.getLong("write") == 1 ? "W" : "R",
                        e.getLong("sector"), e.getLong("bytes")));
                if (pattern) row.add(switch ((int) e.getLong("pattern")) {
                    case 1 -> "S";
                    case 2 -> "R";
                    default -> "?";
                });
                if (queue) row.add(e.getLong("qdelta") / 1e6);
                row.add(e.getLong("delta") / 1e6);
                s.row(columns, row.toArray());
            });
            s.header(columns);
            s.pollUntilStopped(b, null);
        }
    }
}
