package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What hardirqs and softirqs share: time in interrupts (or their number, or histograms of their
 * times) per kind, every interval. Their C keeps {@code dist} by kind, {@code MODE} 0 for total
 * time, 1 for counts, 2 for histograms.
 */
abstract class IrqSummary extends Tool {
    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-N", "--nanoseconds"}, description = "Output in nanoseconds.")
    boolean nanoseconds;

    @Option(names = {"-d", "--dist"}, description = "Show distributions as histograms.")
    boolean dist;

    @Option(names = {"-c", "--cpu"}, paramLabel = "CPU", description = "Trace this CPU only.")
    Integer cpu;

    @Mixin
    Interval interval;

    /** Whether -C (counts instead of times) was given. */
    abstract boolean counts();

    /** "hard irq", "soft irq": for "Tracing ... event time". */
    abstract String what();

    /** The hooks its C needs. */
    abstract Hook hook();

    /** The first column's title and its printf format ("HARDIRQ", "%-26s"). */
    abstract String column();

    abstract String columnFormat();

    /** The histogram sections' label ("hardirq", "softirq"). */
    abstract String section();

    /** The kind a {@code dist} key (or a histogram's section value) stands for. */
    abstract String name(Object key);

    @Override
    protected void run(Session s) {
        if (counts() && dist) throw usage("-C and -d cannot be used together");
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpu != null && (cpu < 0 || cpu >= cpus)) throw usage("no CPU " + cpu + " (CPUs are 0.." + (cpus - 1) + ")");
        Hook hook = s.choose(hook());
        String unit = nanoseconds ? "nsecs" : "usecs";
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("MODE", counts() ? 1 : dist ? 2 : 0);
        defines.put("FILTER_CPU", cpu == null ? -1 : cpu);
        defines.put("FACTOR", nanoseconds ? 1 : 1000);
        try (BPF b = s.load(getClass(), getClass().getSimpleName().toLowerCase(Locale.ROOT) + ".bpf.c", hook, defines)) {
            s.ready();
            s.note("Tracing " + what() + " event " + (counts() ? "count" : "time") + "... Hit Ctrl-C to end.");
            KeyedTable<?> table = b.get("dist");
            if (dist) {
                Histogram.Options options = Histogram.Options.defaults().withValType(unit).withSection(section(), this::name);
                Intervals.log2(s, table, options, timestamp, interval.period(), () -> { });
                return;
            }
            String label = counts() ? "count" : unit;
            Columns columns = Columns.of(columnFormat() + " %11d", column(), "TOTAL_" + label);
            Intervals.every(s, interval.period(), () -> {
                Intervals.heading(s, timestamp);
                if (!s.json()) s.out().println(columns.header());
                List<Map.Entry<String, Long>> rows = new ArrayList<>();
                for (var e : table.items()) rows.add(Map.entry(name(e.getKey()), ((Value) e.getValue()).value()));
                rows.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
                for (var r : rows) s.row(columns, r.getKey(), r.getValue());
                table.clear();
            });
        }
    }
}
