package dev.jbcc.tools.block;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Disks;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/** {@code jbcc biolatency}: block device I/O latency as a histogram. */
@Command(name = "biolatency", mixinStandardHelpOptions = true,
        description = {"Summarize block device I/O latency as a histogram."},
        footer = {"", "examples:",
                "    jbcc biolatency                # summarize block I/O latency as a histogram",
                "    jbcc biolatency 1 10           # print 1 second summaries, 10 times",
                "    jbcc biolatency -mT 1          # 1s summaries, milliseconds, and timestamps",
                "    jbcc biolatency -Q             # include OS queued time in I/O time",
                "    jbcc biolatency -D             # show each disk device separately",
                "    jbcc biolatency -F             # show I/O flags separately",
                "    jbcc biolatency -j             # print JSON histograms",
                "    jbcc biolatency -e             # show extension summary (total, average)",
                "    jbcc biolatency -d sdc         # trace sdc only"})
public final class Biolatency extends Tool {
    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-Q", "--queued"}, description = "Include OS queued time in I/O time.")
    boolean queued;

    @Option(names = {"-m", "--milliseconds"}, description = "Millisecond histogram.")
    boolean milliseconds;

    @Option(names = {"-D", "--disks"}, description = "Print a histogram per disk device.")
    boolean disks;

    @Option(names = {"-F", "--flags"}, description = "Print a histogram per set of I/O flags.")
    boolean flags;

    @Option(names = {"-e", "--extension"}, description = "Summarize average/total value.")
    boolean extension;

    @Option(names = {"-j"}, description = "JSON output (as --json).")
    boolean j;

    @Option(names = {"-d", "--disk"}, paramLabel = "DISK", description = "Trace this disk only.")
    String disk;

    @Parameters(index = "0", arity = "0..1", paramLabel = "interval", description = "Output interval, in seconds.")
    Integer interval;

    @Parameters(index = "1", arity = "0..1", paramLabel = "count", description = "Number of outputs.")
    Long count;

    private static final String[] FLAG_NAMES = {"Read", "Write", "Discard", "Flush", "Sync", "Metadata", "ReadAhead", "FUA"};

    @Override
    protected void run(Session s) {
        if (disks && flags) throw usage("-D and -F cannot be used together");
        if (interval != null && interval <= 0) throw usage("interval must be positive, not " + interval);
        if (count != null && count <= 0) throw usage("count must be positive, not " + count);
        long dev = disk == null ? -1 : Disks.dev(disk).orElseThrow(() -> usage("no disk named " + disk + " in /sys/class/block"));
        boolean json = s.json() || j;

        Hook hook = s.choose(queued
                ? Hook.tracepoint("block:block_rq_insert", "block:block_rq_issue", "block:block_rq_complete")
                : Hook.tracepoint("block:block_rq_issue", "block:block_rq_complete"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("QUEUED", queued ? 1 : 0);
        defines.put("SECTION", disks ? 1 : flags ? 2 : 0);
        defines.put("FILTER_DEV", dev);
        defines.put("FACTOR", milliseconds ? 1_000_000 : 1000);
        defines.put("EXTENSION", extension ? 1 : 0);
        String unit = milliseconds ? "msecs" : "usecs";
        try (BPF b = s.load(Biolatency.class, "biolatency.bpf.c", hook, defines)) {
            s.ready();
            s.note("Tracing block device I/O... Hit Ctrl-C to end.");
            KeyedTable<?> dist = b.get("dist");
            Histogram.Options options = Histogram.Options.defaults().withValType(unit);
            if (disks) options = options.withSection("disk", k -> Disks.name(((Number) k).longValue()));
            if (flags) options = options.withSection("flags", k -> flagNames(((Number) k).longValue()));
            Histogram.Options shown = options;
            s.everyInterval(Duration.ofSeconds(interval == null ? 99_999_999L : interval), count == null ? 0 : count, () -> {
                if (!json) s.out().println();
                if (timestamp && !json) s.out().println(Session.clock());
                if (json) s.out().print(Histogram.json(dist, shown));
                else s.out().print(Histogram.log2(dist, shown));
                if (extension) printExtension(s, b.get("ext"), unit);
                dist.clear();
                b.<KeyedTable<?>>get("ext").clear();
            });
        }
    }

    private void printExtension(Session s, KeyedTable<?> ext, String unit) {
        for (var e : ext.items()) {
            Value v = (Value) e.getValue();
            long total = v.getLong("total"), n = v.getLong("count");
            String section = disks ? "disk = " + Disks.name(e.getKey().value()) + ", "
                    : flags ? "flags = " + flagNames(e.getKey().value()) + ", " : "";
            s.out().printf("%savg = %d %s, total: %d %s, count: %d%n", section, n == 0 ? 0 : total / n, unit, total, unit, n);
        }
    }

    private static String flagNames(long bits) {
        StringJoiner names = new StringJoiner("-");
        for (int i = 0; i < FLAG_NAMES.length; i++) if ((bits & (1L << i)) != 0) names.add(FLAG_NAMES[i]);
        return names.length() == 0 ? "NoFlags" : names.toString();
    }
}
