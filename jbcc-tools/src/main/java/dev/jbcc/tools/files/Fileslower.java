package dev.jbcc.tools.files;

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

/** {@code jbcc fileslower}: synchronous file reads and writes slower than a threshold. */
@Command(name = "fileslower", mixinStandardHelpOptions = true,
        description = {"Trace synchronous file reads and writes slower than a threshold."},
        footer = {"", "examples:",
                "    jbcc fileslower                # reads and writes slower than 10 ms",
                "    jbcc fileslower 1              # slower than 1 ms",
                "    jbcc fileslower 0              # all of them",
                "    jbcc fileslower -p 185         # only process 185",
                "    jbcc fileslower -a             # sockets, FIFOs and devices too",
                "    jbcc fileslower --json 0       # one JSON object per read or write"})
public final class Fileslower extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-a", "--all-files"}, description = "Include non-regular file types (sockets, FIFOs, etc).")
    boolean allFiles;

    @Parameters(index = "0", arity = "0..1", paramLabel = "min_ms", description = "Minimum I/O duration to trace, in ms (default 10).")
    Integer minMs;

    @Override
    protected void run(Session s) {
        int min = minMs == null ? 10 : minMs;
        if (min < 0) throw usage("min_ms must not be negative, not " + min);
        Columns columns = Columns.of("%-8.3f %-14.14s %-6s %1s %-7s %7.2f %s", "TIME(s)", "COMM", "TID", "D", "BYTES", "LAT(ms)", "FILENAME");
        Hook hook = s.choose(Hook.tracepoint("syscalls:sys_enter_read", "syscalls:sys_exit_read", "syscalls:sys_enter_pread64",
                "syscalls:sys_exit_pread64", "syscalls:sys_enter_write", "syscalls:sys_exit_write",
                "syscalls:sys_enter_pwrite64", "syscalls:sys_exit_pwrite64"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("MIN_US", min * 1000L);
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("ALL_FILES", allFiles ? 1 : 0);
        try (BPF b = s.load(Fileslower.class, "fileslower.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                s.row(columns, s.elapsedSeconds(), e.getString("comm"), e.getLong("tid"), e.getLong("mode") == 0 ? "R" : "W",
                        e.getLong("size"), e.getLong("delta_us") / 1000.0, FileNames.shown(e));
            });
            s.note("Tracing sync read/writes slower than " + min + " ms");
            s.header(columns);
            s.pollUntilStopped(b, null);
        }
    }
}
