package dev.jbcc.tools.block;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerCpuArray;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code jbcc biolatpcts}: I/O latency percentiles of one block device, per kind of I/O. */
@Command(name = "biolatpcts", mixinStandardHelpOptions = true,
        description = {"Monitor the I/O latency distribution of a block device as percentiles per I/O type."},
        footer = {"", "examples:",
                "    jbcc biolatpcts sda                       # percentiles every 3 seconds",
                "    jbcc biolatpcts /dev/nvme0n1 -i 1         # every second",
                "    jbcc biolatpcts vda -p 50,99,99.9         # these percentiles",
                "    jbcc biolatpcts vda -w after-rq-alloc     # from the request's start in the block layer",
                "    jbcc biolatpcts vda -j                    # one JSON object per interval (seconds)",
                "", "Latencies are bucketed: 10us wide below 1ms, 100us below 10ms, 1ms below 100ms, 10ms below 1s;",
                "a percentile shows its bucket's middle, '-' when there was no I/O of that type."})
public final class Biolatpcts extends Tool {
    private static final String[] OPS = {"read", "write", "flush", "discard"};
    private static final int BUCKETS = 100, RANGES = 4, SLOTS = RANGES * BUCKETS + 1;

    @Parameters(index = "0", paramLabel = "DEV", description = "The block device: /dev/DEVNAME, DEVNAME or MAJ:MIN.")
    String device;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL",
            description = "Report interval in seconds (0: exit once ready, -1: report only at the end; default ${DEFAULT-VALUE}).")
    double interval = 3;

    @Option(names = {"-w", "--which"}, paramLabel = "WHICH",
            description = "Which latency: from-rq-alloc, after-rq-alloc or on-device (default ${DEFAULT-VALUE}).")
    String which = "on-device";

    @Option(names = {"-p", "--pcts"}, paramLabel = "PCT,...", split = ",",
            description = "Percentiles (default 1,5,10,16,25,50,75,84,90,95,99,100); printed as given.")
    List<String> pcts = List.of("1", "5", "10", "16", "25", "50", "75", "84", "90", "95", "99", "100");

    @Option(names = {"-j"}, description = "JSON output (as --json): latencies in seconds.")
    boolean j;

    @Override
    protected void run(Session s) {
        int whichCode = switch (which) {
            case "from-rq-alloc" -> 0;
            case "after-rq-alloc" -> 1;
            case "on-device" -> 2;
            default -> throw usage("-w takes from-rq-alloc, after-rq-alloc or on-device, not " + which);
        };
        double[] wanted = new double[pcts.size()];
        for (int i = 0; i < wanted.length; i++) {
            try {
                wanted[i] = Double.parseDouble(pcts.get(i));
            } catch (NumberFormatException e) {
                throw usage("-p takes numbers from 0 to 100, not " + pcts.get(i));
            }
            if (!(wanted[i] >= 0 && wanted[i] <= 100)) throw usage("-p takes numbers from 0 to 100, not " + pcts.get(i));
        }
        long dev = dev(device);
        String name = Disks.name(dev);
        Hook hook = s.choose(Hook.rawTracepoint("block_rq_complete"));
        try (BPF b = s.load(Biolatpcts.class, "biolatpcts.bpf.c", hook, Map.of("TARGET_DEV", dev, "WHICH", whichCode))) {
            PerCpuArray lat = b.get("lat");
            s.ready();
            if (interval == 0) return;
            long[] previous = new long[OPS.length * SLOTS];
            Runnable report = () -> {
                long[] now = totals(lat);
                long[] period = new long[now.length];
                for (int i = 0; i < now.length; i++) period[i] = now[i] - previous[i];
                System.arraycopy(now, 0, previous, 0, now.length);
                print(s, name, wanted, period);
            };
            if (interval < 0) {
                s.sleep(Duration.ofDays(365 * 100));
                report.run();
            } else {
                s.everyInterval(Duration.ofMillis((long) (interval * 1000)), 0, report);
            }
        }
    }

    /** The device argument as a kernel dev_t. */
    private long dev(String arg) {
        if (arg.matches("\\d+:\\d+")) {
            String[] mm = arg.split(":");
            return (Long.parseLong(mm[0]) << 20) | Long.parseLong(mm[1]);
        }
        return Disks.dev(arg).orElseThrow(() -> usage("no block device " + arg + " in /sys/class/block"));
    }

    private static long[] totals(PerCpuArray lat) {
        long[] sums = new long[OPS.length * SLOTS];
        for (int i = 0; i < sums.length; i++) {
            for (Value v : lat.get(i)) sums[i] += v.value();
        }
        return sums;
    }

    private void print(Session s, String name, double[] wanted, long[] counts) {
        boolean json = s.json() || j;
        Map<String, Object> object = new LinkedHashMap<>();
        if (!json) {
            StringBuilder header = new StringBuilder(String.format("%-7s", name));
            for (String p : pcts) header.append(' ').append(String.format("%5s", pctLabel(p)));
            s.out().println(header);
        }
        for (int op = 0; op < OPS.length; op++) {
            long total = 0;
            for (int slot = 0; slot < SLOTS; slot++) total += counts[op * SLOTS + slot];
            StringBuilder line = new StringBuilder(String.format("%-7s", OPS[op]));
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < wanted.length; i++) {
                double us = total == 0 ? -1 : percentile(counts, op * SLOTS, total, wanted[i]);
                line.append(' ').append(String.format("%5s", us < 0 ? "-" : format(us)));
                row.put(pcts.get(i), us < 0 ? 0.0 : us / 1e6);
            }
            if (json) object.put(OPS[op], row);
            else s.out().println(line);
        }
        if (json) s.object(object);
        s.out().flush();
    }

    /** bcc labels its default percentiles p1, p5…; ones given with -p are printed as given. */
    private String pctLabel(String p) {
        return pcts.equals(List.of("1", "5", "10", "16", "25", "50", "75", "84", "90", "95", "99", "100")) ? "p" + p : p;
    }

    /** The middle of the bucket in which the pct-th percentile of the counts from {@code base} falls, in us. */
    static double percentile(long[] counts, int base, long total, double pct) {
        double target = Math.max(1, Math.ceil(total * pct / 100));
        long seen = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            seen += counts[base + slot];
            if (seen >= target) return middle(slot);
        }
        return middle(SLOTS - 1);
    }

    /** A bucket's middle in microseconds. */
    static double middle(int slot) {
        int range = slot / BUCKETS, i = slot % BUCKETS;
        if (range >= RANGES) return 1_000_000;
        double width = 10 * Math.pow(10, range), start = range == 0 ? 0 : 1000 * Math.pow(10, range - 1);
        return start + i * width + width / 2;
    }

    /** 95us, 1.5ms, 25ms, 1.0s. */
    static String format(double us) {
        if (us < 1000) return String.format(Locale.ROOT, "%.0fus", us);
        if (us < 10_000) return String.format(Locale.ROOT, "%.1fms", us / 1000);
        if (us < 1_000_000) return String.format(Locale.ROOT, "%.0fms", us / 1000);
        return String.format(Locale.ROOT, "%.1fs", us / 1e6);
    }

}
