package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** {@code jbcc cpuunclaimed}: how often CPUs sat idle while other CPUs had threads waiting to run. */
@Command(name = "cpuunclaimed", mixinStandardHelpOptions = true,
        description = {"Sample CPU run queues and calculate unclaimed idle CPU: idle CPUs while others had work queued."},
        footer = {"", "examples:",
                "    jbcc cpuunclaimed              # a summary every second",
                "    jbcc cpuunclaimed 5 10         # 5 second summaries, 10 times",
                "    jbcc cpuunclaimed -T 1         # 1 second summaries with timestamps",
                "    jbcc cpuunclaimed -j           # every sample as CSV: run queue length per CPU",
                "    jbcc cpuunclaimed -J           # ... with how old each CPU's value was at the sample",
                "    jbcc cpuunclaimed --json 1     # one JSON object per second",
                "",
                "Each CPU samples itself 10 times as often as samples are taken, so a sample's values are within",
                "about a millisecond of each other whatever the phases of the CPUs' timers."})
public final class Cpuunclaimed extends Tool {
    private static final int PERF_TYPE_SOFTWARE = 1, PERF_COUNT_SW_CPU_CLOCK = 0;
    /** Snapshots a second: an odd rate, not in step with timers of the same period. */
    static final int FREQUENCY = 99;
    /** Each CPU samples itself this many times per snapshot. */
    private static final int STRIDE = 10;
    /**
     * A snapshot holding a value older than this (a CPU whose timer was held up, e.g. a virtual
     * CPU not scheduled) says nothing of one moment: summaries leave it out, as bcc's tool left
     * out no group but stopped.
     */
    private static final long STALE_NS = (long) (0.4 * 1e9 / FREQUENCY);

    @Option(names = {"-j", "--csv"}, description = "Print sample summaries (verbose) as comma-separated values.")
    boolean csv;

    @Option(names = {"-J", "--fullcsv"}, description = "Print sample summaries with extra fields: CPU sample offsets.")
    boolean fullcsv;

    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Mixin
    Interval interval;

    /** One snapshot: when, each CPU's run queue length, and how long before the snapshot each was read. */
    private record Sample(long ts, long[] lens, long[] ages) {
    }

    @Override
    protected void run(Session s) {
        boolean csvRows = csv || fullcsv;
        int[] online = onlineCpus();
        int ncpu = online.length == 0 ? Runtime.getRuntime().availableProcessors() : online[online.length - 1] + 1;
        int leader = online.length == 0 ? 0 : online[0];
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("NCPU", ncpu);
        defines.put("LEADER", leader);
        defines.put("STRIDE", STRIDE);
        defines.put("VIA_RQ", cfsRqHas("rq") ? 1 : 0);
        defines.put("CFS_COUNT", cfsRqHas("nr_queued") ? "nr_queued" : "nr_running");
        try (BPF b = s.load(Cpuunclaimed.class, "cpuunclaimed.bpf.c", defines)) {
            PerfEventArray events = b.get("events");
            List<Sample> samples = new ArrayList<>();
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                List<Value> lens = e.field("lens").elements(), ages = e.field("ages").elements();
                long[] l = new long[ncpu], a = new long[ncpu];
                for (int c = 0; c < ncpu; c++) {
                    l[c] = lens.get(c).value();
                    a[c] = ages.get(c).value();
                }
                samples.add(new Sample(e.getLong("ts"), l, a));
            });
            b.attachPerfEvent(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, "do_perf_event", 0, FREQUENCY * STRIDE, -1, -1);
            s.ready();
            if (csvRows && !s.json()) {
                StringJoiner header = new StringJoiner(",");
                if (timestamp) header.add("TIME");
                header.add("TIMESTAMP_ns");
                for (int c = 0; c < ncpu; c++) header.add("CPU" + c);
                if (fullcsv) for (int c = 0; c < ncpu; c++) header.add("OFFSET_ns_CPU" + c);
                s.out().println(header);
            } else if (!s.json()) {
                s.note("Sampling run queues... Output every " + interval.every(1).toSeconds() + " seconds. Hit Ctrl-C to end.");
            }
            Intervals.every(s, interval.period(1), () -> {
                b.perfBufferPoll(0);
                if (csvRows) samples.forEach(x -> printSample(s, x));
                else summarize(s, samples, ncpu);
                samples.clear();
            });
        }
    }

    private void printSample(Session s, Sample x) {
        if (s.json()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("timestamp_ns", x.ts());
            o.put("run_queue", x.lens());
            if (fullcsv) o.put("offset_ns", x.ages());
            s.object(o);
            return;
        }
        StringJoiner row = new StringJoiner(",");
        if (timestamp) row.add(String.format("%-8s", Session.clock()));
        row.add(Long.toString(x.ts()));
        for (long l : x.lens()) row.add(Long.toString(l));
        if (fullcsv) for (long age : x.ages()) row.add(Long.toString(age));
        s.out().println(row);
    }

    /** %CPU: the share of CPU samples that found work; unclaimed: idle CPUs that could have run queued threads. */
    private void summarize(Session s, List<Sample> samples, int ncpu) {
        long positive = 0, running = 0, idle = 0, stale = 0;
        for (Sample x : samples) {
            if (java.util.Arrays.stream(x.ages()).anyMatch(age -> age > STALE_NS)) {
                stale++;
                continue;
            }
            long gRunning = 0, gQueued = 0;
            for (long len : x.lens()) {
                if (len > 0) gRunning++;
                if (len > 1) gQueued += len - 1;
            }
            long gIdle = ncpu - gRunning;
            if (gIdle > 0 && gQueued > 0) positive += Math.min(gIdle, gQueued);
            running += gRunning;
            idle += gIdle;
        }
        if (stale > 0) s.verbose(stale + " of " + samples.size() + " samples left out: a CPU's value was over " + STALE_NS / 1000 + " us old");
        long total = running + idle;
        double util = total == 0 ? 0 : 100.0 * running / total, unclaimed = total == 0 ? 0 : 100.0 * positive / total;
        if (s.json()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("time", Session.clock());
            o.put("cpu_pct", util);
            o.put("unclaimed_idle_pct", unclaimed);
            o.put("samples", samples.size() - stale);
            o.put("cpus", ncpu);
            s.object(o);
            return;
        }
        s.out().printf("%s%%CPU %6.2f%%, unclaimed idle %.2f%%%n", timestamp ? String.format("%-8s ", Session.clock()) : "", util, unclaimed);
    }

    /** Whether struct cfs_rq has the member {@code name} in the running kernel. */
    private static boolean cfsRqHas(String name) {
        return Btf.kernel().find("cfs_rq", BtfType.Struct.class)
                .map(t -> t.members().stream().anyMatch(m -> m.name().equals(name))).orElse(false);
    }

    /** The CPUs the kernel has online, in order. */
    private static int[] onlineCpus() {
        try {
            List<Integer> cpus = new ArrayList<>();
            for (String range : Files.readString(Path.of("/sys/devices/system/cpu/online")).trim().split(",")) {
                String[] ends = range.split("-");
                for (int c = Integer.parseInt(ends[0]); c <= Integer.parseInt(ends[ends.length - 1]); c++) cpus.add(c);
            }
            return cpus.stream().mapToInt(Integer::intValue).toArray();
        } catch (IOException | RuntimeException e) {
            return new int[0];
        }
    }
}
