package dev.jbcc.tools.files;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;

import java.util.Map;

/** {@code jbcc syncsnoop}: calls that flush file data to storage. */
@Command(name = "syncsnoop", mixinStandardHelpOptions = true,
        description = {"Trace sync() and its relatives (syncfs, fsync, fdatasync, sync_file_range, msync)."},
        footer = {"", "examples:",
                "    jbcc syncsnoop                 # every sync-like call, with the process that made it",
                "    jbcc syncsnoop --json          # one JSON object per call"})
public final class Syncsnoop extends Tool {
    // in the order of the C's enum call
    private static final String[] CALLS = {"sync", "syncfs", "fsync", "fdatasync", "sync_file_range", "msync"};

    @Override
    protected void run(Session s) {
        Columns columns = Columns.of("%-18.9f %-7d %-16s %s", "TIME(s)", "PID", "COMM", "CALL");
        Hook hook = s.choose(Hook.tracepoint("syscalls:sys_enter_sync", "syscalls:sys_enter_syncfs", "syscalls:sys_enter_fsync",
                "syscalls:sys_enter_fdatasync", "syscalls:sys_enter_msync"));
        Map<String, Object> defines = Map.of("HAVE_SYNC_FILE_RANGE", BPF.tracepointExists("syscalls", "sys_enter_sync_file_range") ? 1 : 0);
        try (BPF b = s.load(Syncsnoop.class, "syncsnoop.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                s.row(columns, e.getLong("ts_ns") / 1e9, e.getLong("pid"), e.getString("comm"), CALLS[(int) e.getLong("call")] + "()");
            });
            s.header(columns);
            s.pollUntilStopped(b, null);
        }
    }
}
