package dev.jbcc.tools.net;

import dev.jbcc.bcc.ArrayTable;
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code jbcc netqtop}: traffic per queue of a network device, by packet size. */
@Command(name = "netqtop", mixinStandardHelpOptions = true,
        description = {"Show packets per transmit and receive queue of a network device, by size, every interval."},
        footer = {"", "examples:",
                "    jbcc netqtop -n eth0           # every second",
                "    jbcc netqtop -n lo -i 5        # every 5 seconds",
                "    jbcc netqtop -n eth0 -t        # with bytes and packets per second",
                "    jbcc netqtop -n eth0 --json    # one JSON object per interval"})
public final class Netqtop extends Tool {
    private static final String[] RANGES = {"[0, 64)", "[64, 512)", "[512, 2K)", "[2K, 16K)", "[16K, 64K)"};
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT);

    @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME", description = "The network device (in this process's network namespace).")
    String name;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", description = "Seconds between outputs (default ${DEFAULT-VALUE}).")
    double interval = 1;

    @Option(names = {"-t", "--throughput"}, description = "Add bytes and packets per second columns.")
    boolean throughput;

    @Override
    protected void run(Session s) throws IOException {
        if (!(interval > 0)) throw usage("-i must be positive, not " + interval);
        if (name.length() >= 16 || !Files.isDirectory(Path.of("/sys/class/net", name))) {
            throw usage("no network device " + name + " in this network namespace (ip link lists them)");
        }
        long netns = (Long) Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
        Hook hook = s.choose(Hook.rawTracepoint("net_dev_start_xmit", "netif_receive_skb"));
        Map<String, Object> defines = Map.of("DEV_NAME", "\"" + name + "\"", "NETNS", netns + "U");
        try (BPF b = s.load(Netqtop.class, "netqtop.bpf.c", hook, defines)) {
            ArrayTable tx = b.get("tx"), rx = b.get("rx");
            s.ready();
            s.everyInterval(Duration.ofMillis((long) (interval * 1000)), 0, () -> {
                List<long[]> txq = drain(tx), rxq = drain(rx);
                if (s.json()) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("time", ZonedDateTime.now().toString());
                    o.put("tx", json(txq));
                    o.put("rx", json(rxq));
                    s.object(o);
                    return;
                }
                s.out().println(ZonedDateTime.now().format(WHEN));
                table(s, "TX", txq);
                s.out().println();
                table(s, "RX", rxq);
                s.out().println("-".repeat(throughput ? 98 : 76));
            });
        }
    }

    /** Each queue that saw traffic as {queue, bytes, packets, by size...}; the table is zeroed. */
    private static List<long[]> drain(ArrayTable table) {
        List<long[]> out = new ArrayList<>();
        for (var e : table.items()) {
            Value v = e.getValue();
            long packets = v.getLong("packets");
            if (packets == 0) continue;
            long[] row = new long[3 + RANGES.length];
            row[0] = e.getKey().value();
            row[1] = v.getLong("bytes");
            row[2] = packets;
            List<Value> sizes = v.field("by_size").elements();
            for (int i = 0; i < RANGES.length; i++) row[3 + i] = sizes.get(i).value();
            out.add(row);
        }
        table.zero();
        return out;
    }

    private void table(Session s, String title, List<long[]> queues) {
        s.out().println(title);
        StringBuilder h = new StringBuilder(String.format(" %-7s %9s", "QueueID", "avg_size"));
        for (String r : RANGES) h.append(String.format(" %10s", r));
        if (throughput) h.append(String.format(" %10s %10s", "BPS", "PPS"));
        s.out().println(h);
        long[] total = new long[3 + RANGES.length];
        for (long[] q : queues) {
            s.out().println(line(String.format("%4d", q[0]), q));
            for (int i = 1; i < q.length; i++) total[i] += q[i];
        }
        s.out().println(line("Total", total));
    }

    private String line(String label, long[] q) {
        StringBuilder l = new StringBuilder(String.format(" %-7s %9d", label, q[2] == 0 ? 0 : q[1] / q[2]));
        for (int i = 0; i < RANGES.length; i++) l.append(String.format(" %10d", q[3 + i]));
        if (throughput) l.append(String.format(" %10.0f %10.0f", q[1] / interval, q[2] / interval));
        return l.toString();
    }

    private List<Map<String, Object>> json(List<long[]> queues) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (long[] q : queues) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("queue", q[0]);
            m.put("bytes", q[1]);
            m.put("packets", q[2]);
            m.put("avg_size", q[1] / q[2]);
            Map<String, Object> sizes = new LinkedHashMap<>();
            for (int i = 0; i < RANGES.length; i++) sizes.put(RANGES[i], q[3 + i]);
            m.put("by_size", sizes);
            out.add(m);
        }
        return out;
    }
}
