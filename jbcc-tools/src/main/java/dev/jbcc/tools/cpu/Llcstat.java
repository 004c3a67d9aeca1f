package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.link.PerfEventOptions;
import dev.jbcc.link.PerfEventOptions.HardwareEvent;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc llcstat}: last-level cache references and misses by process and CPU. */
@Command(name = "llcstat", mixinStandardHelpOptions = true,
        description = {"Summarize cache references and misses by PID."},
        footer = {"", "examples:",
                "    jbcc llcstat                   # references, misses and hit rate per process and CPU, for 10 s",
                "    jbcc llcstat 20                # for 20 seconds",
                "    jbcc llcstat -c 1000           # one sample every 1000 events",
                "    jbcc llcstat -t                # per thread too",
                "",
                "It needs the CPU's hardware cache counters: a virtual machine without a virtual PMU has none."})
public final class Llcstat extends Tool {
    @Option(names = {"-c", "--sample_period"}, paramLabel = "SAMPLE_PERIOD",
            description = "Sample one in this many cache reference / miss events (default ${DEFAULT-VALUE}).")
    long samplePeriod = 100;

    @Option(names = {"-t", "--tid"}, description = "Summarize cache references and misses by PID/TID.")
    boolean byTid;

    @Parameters(index = "0", arity = "0..1", paramLabel = "duration", description = "Duration, in seconds, to run (default ${DEFAULT-VALUE}).")
    int duration = 10;

    @Override
    protected void run(Session s) {
        if (samplePeriod <= 0) throw usage("SAMPLE_PERIOD must be positive, not " + samplePeriod);
        if (duration <= 0) throw usage("duration must be positive, not " + duration);
        try (BPF b = s.load(Llcstat.class, "llcstat.bpf.c", Map.of("BY_TID", byTid ? 1 : 0))) {
            try {
                b.attachPerfEvent(PerfEventOptions.TYPE_HARDWARE, HardwareEvent.CACHE_MISSES.ordinal(), "on_cache_miss", samplePeriod, 0, -1, -1);
                b.attachPerfEvent(PerfEventOptions.TYPE_HARDWARE, HardwareEvent.CACHE_REFERENCES.ordinal(), "on_cache_ref", samplePeriod, 0, -1, -1);
            } catch (UnsupportedFeatureException e) {
                throw new UnsupportedFeatureException("counting the CPU's cache references and misses (perf hardware events)",
                        null, "this machine exposes no hardware PMU, as is common in VMs (give the guest one, e.g. QEMU/KVM with -cpu host)");
            }
            s.ready();
            s.note("Running for " + duration + " seconds or hit Ctrl-C to end.");
            s.sleep(Duration.ofSeconds(duration));
            KeyedTable<?> refs = b.get("ref_count");
            KeyedTable<?> misses = b.get("miss_count");
            Map<List<Object>, long[]> rows = new LinkedHashMap<>(); // (pid, tid, name, cpu) → {references, misses}
            for (var e : refs.items()) rows.computeIfAbsent(key(e.getKey()), k -> new long[2])[0] += ((Value) e.getValue()).value();
            for (var e : misses.items()) rows.computeIfAbsent(key(e.getKey()), k -> new long[2])[1] += ((Value) e.getValue()).value();
            Columns columns = Columns.of("%-8d %-16s %-4d %12d %12d %6.2f%%", "PID", "NAME", "CPU", "REFERENCE", "MISS", "HIT%");
            if (byTid) columns = Columns.of("%-8d %-8d %-16s %-4d %12d %12d %6.2f%%", "PID", "TID", "NAME", "CPU", "REFERENCE", "MISS", "HIT%");
            s.header(columns);
            long totalRefs = 0, totalMisses = 0;
            for (var r : rows.entrySet()) {
                List<Object> k = r.getKey();
                long ref = r.getValue()[0], miss = r.getValue()[1];
                totalRefs += ref;
                totalMisses += miss;
                double hit = hitRate(ref, miss);
                List<Object> values = new ArrayList<>();
                values.add(k.get(0));
                if (byTid) values.add(k.get(1));
                values.addAll(List.of(k.get(2), k.get(3), ref, miss, hit));
                s.row(columns, values.toArray());
            }
            if (s.json()) {
                s.object(Map.of("total_references", totalRefs, "total_misses", totalMisses, "hit_rate", hitRate(totalRefs, totalMisses)));
            } else {
                s.out().printf("Total References: %d Total Misses: %d Hit Rate: %.2f%%%n", totalRefs, totalMisses, hitRate(totalRefs, totalMisses));
            }
        }
    }

    private static List<Object> key(Value k) {
        return List.of(k.getLong("pid"), k.getLong("tid"), k.getString("name"), k.getLong("cpu"));
    }

    /** Hits per hundred references (misses can outnumber sampled references: then 0). */
    private static double hitRate(long refs, long misses) {
        return refs == 0 ? 0 : 100.0 * Math.max(refs - misses, 0) / refs;
    }
}
