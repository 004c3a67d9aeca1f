package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * What ext4dist, xfsdist and btrfsdist are: one file system's read, write, open and fsync latency
 * as a histogram per operation. A subclass names the file system (and its command, help and
 * examples).
 */
abstract class FileSystemDist extends Tool {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("HH:mm:ss:");

    @Option(names = {"-T", "--notimestamp"}, description = "Don't include a timestamp on interval output.")
    boolean notimestamp;

    @Option(names = {"-m", "--milliseconds"}, description = "Output in milliseconds.")
    boolean milliseconds;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Mixin
    Interval interval;

    /** The file system traced. */
    abstract FileSystemOps ops();

    @Override
    protected final void run(Session s) {
        FileSystemOps fs = ops();
        Map<String, Object> defines = fs.defines(Map.of("FILTER_PID", pid == null ? -1 : pid, "DIST", 1,
                "FACTOR", milliseconds ? 1_000_000 : 1000, "MIN_US", 0));
        try (BPF b = s.load(FileSystemDist.class, FileSystemOps.RESOURCE, fs.choose(s), defines)) {
            KeyedTable<?> dist = b.get("dist");
            Histogram.Options options = Histogram.Options.defaults().withValType(milliseconds ? "msecs" : "usecs")
                    .withSection("operation", String::valueOf);
            s.ready();
            s.note("Tracing " + fs.name() + " operation latency... Hit Ctrl-C to end.");
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
