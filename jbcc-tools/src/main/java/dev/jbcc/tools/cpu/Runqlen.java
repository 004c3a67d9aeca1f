package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.link.PerfEventOptions;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.KernelTypes;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** {@code jbcc runqlen}: scheduler run queue length, sampled, as a histogram. */
@Command(name = "runqlen", mixinStandardHelpOptions = true,
        description = {"Summarize scheduler run queue length as a histogram."},
        footer = {"", "examples:",
                "    jbcc runqlen                   # run queue lengths sampled 99 times a second, until Ctrl-C",
                "    jbcc runqlen 1 10              # a histogram every second, ten times",
                "    jbcc runqlen -T 1              # every second, with the time",
                "    jbcc runqlen -O                # the share of samples with tasks waiting",
                "    jbcc runqlen -C                # each CPU separately"})
public final class Runqlen extends Tool {
    /** bcc's rate: 99 Hz, off the beat of timers that run at round frequencies. */
    private static final int FREQUENCY = 99;

    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-O", "--runqocc"}, description = "Report run queue occupancy.")
    boolean occupancy;

    @Option(names = {"-C", "--cpus"}, description = "Print output for each CPU separately.")
    boolean cpus;

    @Mixin
    Interval interval;

    @Override
    protected void run(Session s) {
        if (!KernelTypes.hasMember("sched_entity", "cfs_rq")) {
            throw new UnsupportedFeatureException("a task's run queue (sched_entity.cfs_rq)", null,
                    "this kernel is built without CONFIG_FAIR_GROUP_SCHED");
        }
        String queued = KernelTypes.firstMember("cfs_rq", "nr_queued", "nr_running").orElseThrow(() ->
                new UnsupportedFeatureException("the length of a CFS run queue", null, "struct cfs_rq has neither nr_queued nor nr_running"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("NR_QUEUED", queued.equals("nr_queued") ? 1 : 0);
        defines.put("PER_CPU", cpus ? 1 : 0);
        try (BPF b = s.load(Runqlen.class, "runqlen.bpf.c", defines)) {
            b.attachPerfEvent(PerfEventOptions.TYPE_SOFTWARE, PerfEventOptions.SoftwareEvent.CPU_CLOCK.ordinal(), "do_perf_event",
                    0, FREQUENCY, -1, -1);
            s.ready();
            s.note("Sampling run queue length... Hit Ctrl-C to end.");
            KeyedTable<?> dist = b.get("dist");
            Histogram.Options options = Histogram.Options.defaults().withValType("runqlen");
            if (cpus) options = options.withSection("cpu", String::valueOf);
            Histogram.Options shown = options;
            Intervals.every(s, interval.period(), () -> {
                Intervals.heading(s, timestamp);
                if (occupancy) printOccupancy(s, dist);
                else s.linearHist(dist, shown);
                dist.clear();
            });
        }
    }

    /** The share of samples that found a task waiting: per CPU with -C, else over all. */
    private void printOccupancy(Session s, KeyedTable<?> dist) {
        Map<Long, long[]> perCpu = new TreeMap<>(); // cpu → {samples, samples with a queue}
        for (var e : dist.items()) {
            Value k = e.getKey();
            long cpu = cpus ? k.getLong("cpu") : -1;
            long len = cpus ? k.getLong("slot") : k.value();
            long n = ((Value) e.getValue()).value();
            long[] c = perCpu.computeIfAbsent(cpu, x -> new long[2]);
            c[0] += n;
            if (len > 0) c[1] += n;
        }
        if (perCpu.isEmpty()) perCpu.put(-1L, new long[2]);
        for (var e : perCpu.entrySet()) {
            double pct = e.getValue()[0] == 0 ? 0 : 100.0 * e.getValue()[1] / e.getValue()[0];
            if (s.json()) {
                Map<String, Object> o = new LinkedHashMap<>();
                if (cpus) o.put("cpu", e.getKey());
                o.put("runqocc", Math.round(pct * 100) / 100.0);
                o.put("samples", e.getValue()[0]);
                s.object(o);
            } else if (cpus) {
                s.out().printf("runqocc, CPU %-3d %6.2f%%%n", e.getKey(), pct);
            } else {
                s.out().printf("runqocc: %.2f%%%n", pct);
            }
        }
    }
}
