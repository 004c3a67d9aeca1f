package dev.jbcc.tools.memory;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import dev.jbcc.tools.Tracepoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** {@code jbcc slabratetop}: the kernel slab caches allocated from most, refreshed every interval. */
@Command(name = "slabratetop", mixinStandardHelpOptions = true,
        description = {"Show the kernel slab caches with the most allocations, top-style, every interval."},
        footer = {"", "examples:",
                "    jbcc slabratetop            # kmem_cache_alloc() top, 1 second refresh",
                "    jbcc slabratetop -C         # don't clear the screen",
                "    jbcc slabratetop 5          # 5 second summaries",
                "    jbcc slabratetop 5 10       # 5 second summaries, 10 times only",
                "    jbcc slabratetop -r 5 1 3   # the top 5 caches, every second, 3 times",
                "    jbcc slabratetop --json 1 1 # one JSON object per cache"})
public final class Slabratetop extends Tool {
    private static final String TRACEPOINT = "kmem:kmem_cache_alloc";

    @Option(names = {"-C", "--noclear"}, description = "Don't clear the screen.")
    boolean noclear;

    @Option(names = {"-r", "--maxrows"}, paramLabel = "MAXROWS", description = "Maximum rows to print, default ${DEFAULT-VALUE}.")
    int maxrows = 20;

    @Parameters(index = "0", arity = "0..1", paramLabel = "interval", description = "Output interval, in seconds.")
    Integer interval;

    @Parameters(index = "1", arity = "0..1", paramLabel = "count", description = "Number of outputs.")
    Long count;

    static final Columns COLUMNS = Columns.of("%-32s %6d %10d", "CACHE", "ALLOCS", "BYTES");

    @Override
    protected void run(Session s) {
        if (interval != null && interval <= 0) throw usage("interval must be positive, not " + interval);
        if (count != null && count <= 0) throw usage("count must be positive, not " + count);
        if (maxrows < 1) throw usage("maxrows must be positive, not " + maxrows);
        Hook hook = s.choose(Hook.kprobe("kmem_cache_alloc"), Hook.tracepoint(TRACEPOINT));
        if (hook instanceof Hook.Tracepoint && !Tracepoints.hasField(TRACEPOINT, "name")) {
            throw new UnsupportedFeatureException("the name of the slab cache in " + TRACEPOINT, "6.2",
                    "with kprobes (CONFIG_KPROBES), slabratetop reads it from kmem_cache_alloc() instead");
        }
        try (BPF b = s.load(Slabratetop.class, "slabratetop.bpf.c", hook, Map.of())) {
            if (hook instanceof Hook.Kprobe) {
                for (String f : List.of("kmem_cache_alloc", "kmem_cache_alloc_lru", "kmem_cache_alloc_node")) {
                    if (Hook.kprobe(f).missing() == null) b.attachKprobe(f, "count_alloc");
                }
            }
            KeyedTable<?> counts = b.get("counts");
            s.ready();
            s.note("Tracing... Output every " + (interval == null ? 1 : interval) + " secs. Hit Ctrl-C to end");
            s.everyInterval(Duration.ofSeconds(interval == null ? 1 : interval), count == null ? 0 : count, () -> {
                if (!s.json()) {
                    if (!noclear) s.out().print("\033[H\033[2J");
                    s.out().println(String.format("%-8s loadavg: %s", Session.clock(), ProcFiles.loadavg()));
                    s.out().println();
                }
                List<Object[]> rows = new ArrayList<>();
                for (var e : counts.items()) {
                    Value v = (Value) e.getValue();
                    rows.add(new Object[]{e.getKey().getString("name"), v.getLong("count"), v.getLong("size")});
                }
                rows.sort(Comparator.comparingLong((Object[] r) -> (Long) r[2]).reversed());
                s.header(COLUMNS);
                for (Object[] r : rows.subList(0, Math.min(maxrows, rows.size()))) s.row(COLUMNS, r);
                counts.clear();
            });
        }
    }
}
