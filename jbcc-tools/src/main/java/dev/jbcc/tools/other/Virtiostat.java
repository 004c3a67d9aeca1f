package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** {@code jbcc virtiostat}: per virtqueue, the buffers drivers hand to virtio devices and their bytes. */
@Command(name = "virtiostat", mixinStandardHelpOptions = true,
        description = {"Show the scatter-gather lists and bytes virtio drivers add to each virtqueue, every interval."},
        footer = {"", "examples:",
                "    jbcc virtiostat                 # every 3 seconds",
                "    jbcc virtiostat 1 10            # every second, 10 times",
                "    jbcc virtiostat -T              # a time stamp above each summary",
                "    jbcc virtiostat -d virtio_blk   # only the queues of virtio block devices",
                "    jbcc virtiostat -n virtio0      # only the queues of device virtio0",
                "    jbcc virtiostat --json 1 1      # one JSON object per queue"})
public final class Virtiostat extends Tool {
    static final List<String> FUNCTIONS = List.of("virtqueue_add_sgs", "virtqueue_add_outbuf", "virtqueue_add_inbuf", "virtqueue_add_inbuf_ctx");
    static final Hook KPROBES = Hook.kprobe(FUNCTIONS.toArray(String[]::new));
    static final Hook FENTRY = Hook.fentry(FUNCTIONS.toArray(String[]::new));

    private static final Columns COLUMNS = Columns.of("%14s %8s %10s %7d %7d %14d %14d",
            "Driver", "Device", "VQ Name", "In SGs", "Out SGs", "In BW", "Out BW");

    @Parameters(index = "0", arity = "0..1", paramLabel = "interval", description = "Seconds between summaries (default 3).")
    int interval = 3;

    @Parameters(index = "1", arity = "0..1", paramLabel = "count", description = "Number of summaries (default: until Ctrl-C).")
    long count = 0;

    @Option(names = {"-T", "--timestamp"}, description = "Print the time above each summary.")
    boolean timestamp;

    @Option(names = {"-d", "--driver"}, paramLabel = "DRIVER", description = "Only the queues of devices of this driver.")
    String driver;

    @Option(names = {"-n", "--devname"}, paramLabel = "DEVNAME", description = "Only the queues of this device.")
    String devname;

    @Override
    protected void run(Session s) {
        if (interval <= 0) throw usage("interval must be positive, not " + interval);
        if (count < 0) throw usage("count must not be negative, not " + count);
        Hook hook = s.choose(KPROBES, FENTRY);
        try (BPF b = s.load(Virtiostat.class, "virtiostat.bpf.c", hook, Map.of())) {
            KeyedTable<?> stats = b.get("stats");
            s.ready();
            s.note("Tracing virtio devices statistics ... Hit Ctrl-C to end.");
            s.everyInterval(Duration.ofSeconds(interval), count, () -> print(s, stats));
        }
    }

    private void print(Session s, KeyedTable<?> stats) {
        List<Value> queues = new ArrayList<>();
        for (Object v : stats.values()) {
            Value q = (Value) v;
            if (driver != null && !driver.equals(q.getString("driver"))) continue;
            if (devname != null && !devname.equals(q.getString("dev"))) continue;
            queues.add(q);
        }
        stats.clear();
        queues.sort(Comparator.comparing((Value q) -> q.getString("dev")).thenComparing(q -> q.getString("vqname")));
        if (!s.json()) {
            s.out().println(timestamp ? String.format("%-8s", Session.clock()) : "--------");
            s.out().println(COLUMNS.header());
        }
        for (Value q : queues) {
            s.row(COLUMNS, q.getString("driver"), q.getString("dev"), q.getString("vqname"),
                    q.getLong("in_sgs"), q.getLong("out_sgs"), q.getLong("in_bw"), q.getLong("out_bw"));
        }
    }
}
