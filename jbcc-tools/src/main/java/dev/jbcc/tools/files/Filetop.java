package dev.jbcc.tools.files;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/** {@code jbcc filetop}: file reads and writes by thread and file, top first, every interval. */
@Command(name = "filetop", mixinStandardHelpOptions = true,
        description = {"Show file reads and writes by thread and file, busiest first, every interval."},
        footer = {"", "examples:",
                "    jbcc filetop                   # file I/O top, refreshed every second",
                "    jbcc filetop -C                # don't clear the screen",
                "    jbcc filetop -p 181            # only process 181",
                "    jbcc filetop -s rbytes -r 5    # the 5 files most read from, by bytes",
                "    jbcc filetop 5                 # 5 second summaries",
                "    jbcc filetop 5 10              # 5 second summaries, 10 of them",
                "    jbcc filetop --json 1 3        # one JSON object per row"})
public final class Filetop extends Tool {
    @Option(names = {"-a", "--all-files"}, description = "Include non-regular file types (sockets, FIFOs, etc).")
    boolean allFiles;

    @Option(names = {"-C", "--noclear"}, description = "Don't clear the screen.")
    boolean noclear;

    @Option(names = {"-r", "--maxrows"}, paramLabel = "MAXROWS", description = "Maximum rows to print (default ${DEFAULT-VALUE}).")
    int maxrows = 20;

    @Option(names = {"-s", "--sort"}, paramLabel = "SORT", description = "Sort column: all, reads, writes, rbytes or wbytes (default ${DEFAULT-VALUE}).")
    String sort = "all";

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Mixin
    Interval interval;

    @Override
    protected void run(Session s) {
        ToLongFunction<Value> by = ReadWriteTop.order(sort);
        if (by == null) throw usage("--sort must be one of " + ReadWriteTop.SORTS + ", not " + sort);
        if (maxrows <= 0) throw usage("--maxrows must be positive, not " + maxrows);
        long seconds = interval.every(1).toSeconds();
        Columns columns = Columns.of("%-7d %-16s %-6d %-6d %-7d %-7d %1s %s", "TID", "COMM", "READS", "WRITES", "R_Kb", "W_Kb", "T", "FILE");

        Hook hook = s.choose(Hook.tracepoint("syscalls:sys_enter_read", "syscalls:sys_enter_pread64", "syscalls:sys_enter_write",
                "syscalls:sys_enter_pwrite64"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("ALL_FILES", allFiles ? 1 : 0);
        try (BPF b = s.load(Filetop.class, "filetop.bpf.c", hook, defines)) {
            KeyedTable<Value> counts = b.get("counts");
            s.ready();
            s.note("Tracing... Output every " + seconds + " secs. Hit Ctrl-C to end");
            Intervals.every(s, interval.period(1), () -> {
                List<Map.Entry<Value, Value>> rows = ReadWriteTop.busiest(counts, by, maxrows);
                ReadWriteTop.heading(s, noclear, columns);
                for (var e : rows) {
                    Value k = e.getKey(), v = e.getValue();
                    s.row(columns, k.getLong("tid"), k.getString("comm"), v.getLong("reads"), v.getLong("writes"),
                            v.getLong("rbytes") / 1024, v.getLong("wbytes") / 1024, String.valueOf((char) k.getLong("type")),
                            FileNames.shown(k));
                }
            });
        }
    }
}
