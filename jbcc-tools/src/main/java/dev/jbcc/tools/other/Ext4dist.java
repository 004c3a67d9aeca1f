package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc ext4dist}: ext4 operation latency as a histogram per operation. */
@Command(name = "ext4dist", mixinStandardHelpOptions = true,
        description = {"Summarize ext4 read, write, open and fsync latency as a histogram per operation."},
        footer = {"", "examples:",
                "    jbcc ext4dist                  # the histograms on Ctrl-C",
                "    jbcc ext4dist -p 181           # PID 181's operations only",
                "    jbcc ext4dist 1 10             # every second, 10 times",
                "    jbcc ext4dist -m 5             # every 5 seconds, in milliseconds",
                "    jbcc ext4dist --json 5         # the histograms as JSON every 5 seconds",
                "",
                "ext4 has no tracepoints on its file operations: this needs kprobes or fentry."})
public final class Ext4dist extends Tool {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("HH:mm:ss:");

    @Option(names = {"-T", "--notimestamp"}, description = "Don't include a timestamp on interval output.")
    boolean notimestamp;

    @Option(names = {"-m", "--milliseconds"}, description = "Output in milliseconds.")
    boolean milliseconds;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Mixin
    Interval interval;

    @Override
    protected void run(Session s) {
        Hook hook = s.choose(Ext4.KPROBES, Ext4.FENTRY);
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("DIST", 1);
        defines.put("FACTOR", milliseconds ? 1_000_000 : 1000);
        defines.put("MIN_US", 0);
        try (BPF b = s.load(Ext4dist.class, "ext4.bpf.c", hook, defines)) {
            KeyedTable<?> dist = b.get("dist");
            Histogram.Options options = Histogram.Options.defaults().withValType(milliseconds ? "msecs" : "usecs")
                    .withSection("operation", String::valueOf);
            s.ready();
            s.note("Tracing ext4 operation latency... Hit Ctrl-C to end.");
            Intervals.every(s, interval.period(), () -> {
                if (!s.json()) {
                    s.out().println();
                    if (interval.given() && !notimestamp) s.out().println(LocalTime.now().format(STAMP));
                }
                s.log2Hist(dist, options);
                dist.clear();
            });
        }
    }
}
