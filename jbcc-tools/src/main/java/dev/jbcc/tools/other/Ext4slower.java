package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc ext4slower}: ext4 reads, writes, opens and fsyncs slower than a threshold. */
@Command(name = "ext4slower", mixinStandardHelpOptions = true,
        description = {"Trace ext4 reads, writes, opens and fsyncs slower than a threshold."},
        footer = {"", "examples:",
                "    jbcc ext4slower                # operations slower than 10 ms (the default)",
                "    jbcc ext4slower 1              # operations slower than 1 ms",
                "    jbcc ext4slower -j 1           # ... as comma-separated values",
                "    jbcc ext4slower 0              # every operation (verbose)",
                "    jbcc ext4slower -p 185         # PID 185's operations only",
                "    jbcc ext4slower --json 0       # one JSON object per operation",
                "",
                "ext4 has no tracepoints on its file operations: this needs kprobes or fentry."})
public final class Ext4slower extends Tool {
    private static final Columns COLUMNS = Columns.of("%-8s %-14.14s %-6d %1s %-7d %-8d %7.2f %s",
            "TIME", "COMM", "PID", "T", "BYTES", "OFF_KB", "LAT(ms)", "FILENAME");

    @Option(names = {"-j", "--csv"}, description = "Just print fields: comma-separated values.")
    boolean csv;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Parameters(index = "0", arity = "0..1", paramLabel = "min_ms", description = "Minimum I/O duration to trace, in ms (default 10).")
    long minMs = 10;

    @Override
    protected void run(Session s) {
        if (minMs < 0) throw usage("min_ms must be 0 or more, not " + minMs);
        Hook hook = s.choose(Ext4.KPROBES, Ext4.FENTRY);
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("DIST", 0);
        defines.put("FACTOR", 1000);
        defines.put("MIN_US", minMs * 1000);
        try (BPF b = s.load(Ext4slower.class, "ext4.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                String type = Ext4.TYPES[(int) e.getLong("type")];
                String file = e.getString("file");
                if (csv && !s.json()) {
                    s.out().printf("%d,%s,%d,%s,%d,%d,%d,%s%n", e.getLong("ts_us"), e.getString("task"), e.getLong("pid"), type,
                            e.getLong("size"), e.getLong("offset"), e.getLong("delta_us"), file);
                    return;
                }
                s.row(COLUMNS, Session.clock(), e.getString("task"), e.getLong("pid"), type, e.getLong("size"),
                        e.getLong("offset") / 1024, e.getLong("delta_us") / 1000.0, file);
            });
            if (csv && !s.json()) {
                s.out().println("ENDTIME_us,TASK,PID,TYPE,BYTES,OFFSET_b,LATENCY_us,FILE");
            } else if (!s.json()) {
                s.out().println(minMs == 0 ? "Tracing ext4 operations" : "Tracing ext4 operations slower than " + minMs + " ms");
                s.out().println(COLUMNS.header());
            }
            s.ready(); // after the header, which a reader may take as the sign that events follow
            s.pollUntilStopped(b, null);
        }
    }
}
