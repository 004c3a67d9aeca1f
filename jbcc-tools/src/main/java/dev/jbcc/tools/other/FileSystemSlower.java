package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.Map;

/**
 * What ext4slower, xfsslower and btrfsslower are: reads, writes, opens and fsyncs of one file
 * system slower than a threshold, one row each. A subclass names the file system (and its
 * command, help and examples).
 */
abstract class FileSystemSlower extends Tool {
    @Option(names = {"-j", "--csv"}, description = "Just print fields: comma-separated values.")
    boolean csv;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Parameters(index = "0", arity = "0..1", paramLabel = "min_ms", description = "Minimum I/O duration to trace, in ms (default 10).")
    long minMs = 10;

    /** The file system traced. */
    abstract FileSystemOps ops();

    /** How long to trace, null: until stopped; a usage error if the options give a bad one. */
    Duration duration() {
        return null;
    }

    @Override
    protected final void run(Session s) {
        if (minMs < 0) throw usage("min_ms must be 0 or more, not " + minMs);
        Duration duration = duration();
        FileSystemOps fs = ops();
        Columns columns = fs.columns();
        Map<String, Object> defines = fs.defines(Map.of("FILTER_PID", pid == null ? -1 : pid, "DIST", 0,
                "FACTOR", 1000, "MIN_US", minMs * 1000));
        try (BPF b = s.load(FileSystemSlower.class, FileSystemOps.RESOURCE, fs.choose(s), defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                String type = FileSystemOps.TYPES[(int) e.getLong("type")];
                String file = e.getString("file");
                if (csv && !s.json()) {
                    s.out().printf("%d,%s,%d,%s,%d,%d,%d,%s%n", e.getLong("ts_us"), e.getString("task"), e.getLong("pid"), type,
                            e.getLong("size"), e.getLong("offset"), e.getLong("delta_us"), file);
                    return;
                }
                s.row(columns, Session.clock(), e.getString("task"), e.getLong("pid"), type, e.getLong("size"),
                        e.getLong("offset") / 1024, e.getLong("delta_us") / 1000.0, file);
            });
            if (csv && !s.json()) {
                s.out().println("ENDTIME_us,TASK,PID,TYPE,BYTES,OFFSET_b,LATENCY_us,FILE");
            } else if (!s.json()) {
                s.out().println("Tracing " + fs.name() + " operations" + (minMs == 0 ? "" : " slower than " + minMs + " ms"));
                s.out().println(columns.header());
            }
            s.ready(); // after the header, which a reader may take as the sign that events follow
            s.pollUntilStopped(b, duration);
        }
    }
}
