package dev.jbcc.tools.files;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;

/** {@code jbcc vfscount}: calls of each VFS function, counted until Ctrl-C. */
@Command(name = "vfscount", mixinStandardHelpOptions = true,
        description = {"Count calls of each VFS function (vfs_*), until Ctrl-C or for a time."},
        footer = {"", "examples:",
                "    jbcc vfscount                  # count until Ctrl-C, then print the counts",
                "    jbcc vfscount 5                # count for 5 seconds",
                "    jbcc vfscount --json 5         # one JSON object per function",
                "",
                "Needs kprobes (the VFS functions have no tracepoints)."})
public final class Vfscount extends Tool {
    @Parameters(index = "0", arity = "0..1", paramLabel = "time", description = "Seconds to count for (default: until Ctrl-C).")
    Integer time;

    @Override
    protected void run(Session s) {
        if (time != null && time <= 0) throw usage("time must be positive, not " + time);
        Columns columns = Columns.of("%-16s %-26s %8d", "ADDR", "FUNC", "COUNT");
        Hook hook = s.choose(Hook.kprobe("vfs_read"));
        try (BPF b = s.load(Vfscount.class, "vfscount.bpf.c", hook, Map.of())) {
            int probes = b.attachKprobeRegex("^vfs_.*", "count").size();
            s.verbose(probes + " vfs_* functions probed");
            KeyedTable<Value> counts = b.get("counts");
            s.ready();
            s.note("Tracing... Ctrl-C to end.");
            s.sleep(time == null ? Duration.ofDays(365 * 100) : Duration.ofSeconds(time));
            if (!s.json()) {
                s.out().println();
                s.out().println(columns.header());
            }
            counts.items().stream().sorted(Comparator.comparingLong(e -> e.getValue().value())).forEach(e -> {
                long ip = e.getKey().value();
                s.row(columns, Long.toHexString(ip), BPF.ksym(ip), e.getValue().value());
            });
        }
    }
}
