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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc statsnoop}: stat() calls with their paths and results. */
@Command(name = "statsnoop", mixinStandardHelpOptions = true,
        description = {"Trace stat() syscalls: who asked about which path, and the result."},
        footer = {"", "examples:",
                "    jbcc statsnoop                 # every stat(), lstat(), fstatat(), statx(), statfs()",
                "    jbcc statsnoop -t              # add a timestamp column",
                "    jbcc statsnoop -x              # only the calls that failed",
                "    jbcc statsnoop -p 181          # only process 181",
                "    jbcc statsnoop --json          # one JSON object per call"})
public final class Statsnoop extends Tool {
    @Option(names = {"-t", "--timestamp"}, description = "Include a timestamp column (seconds since the first call).")
    boolean timestamp;

    @Option(names = {"-x", "--failed"}, description = "Only show failed stats.")
    boolean failed;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Override
    protected void run(Session s) {
        Columns columns = Columns.of("%-7d %-16s %4d %3d %s", "PID", "COMM", "FD", "ERR", "PATH");
        if (timestamp) columns = columns.prepend("%-14.9f", "TIME(s)");
        Columns out = columns;

        Hook hook = s.choose(Hook.tracepoint("syscalls:sys_enter_statx", "syscalls:sys_exit_statx",
                "syscalls:sys_enter_newfstatat", "syscalls:sys_exit_newfstatat"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("FAILED_ONLY", failed ? 1 : 0);
        for (String call : List.of("newstat", "newlstat", "statfs")) {
            defines.put("HAVE_" + call.toUpperCase(java.util.Locale.ROOT), BPF.tracepointExists("syscalls", "sys_enter_" + call) ? 1 : 0);
        }
        long[] first = {0};
        try (BPF b = s.load(Statsnoop.class, "statsnoop.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                long ret = e.getLong("ret");
                long ts = e.getLong("ts_ns");
                if (first[0] == 0) first[0] = ts;
                List<Object> row = new ArrayList<>();
                if (timestamp) row.add((ts - first[0]) / 1e9);
                row.addAll(List.of(e.getLong("pid"), e.getString("comm"), ret >= 0 ? ret : -1, ret >= 0 ? 0 : -ret, e.getString("path")));
                s.row(out, row.toArray());
            });
            s.header(out);
            s.pollUntilStopped(b, null);
        }
    }
}
