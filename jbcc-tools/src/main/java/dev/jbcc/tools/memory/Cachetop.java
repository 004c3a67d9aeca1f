package dev.jbcc.tools.memory;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc cachetop}: page cache hits and misses per process, top-style. */
@Command(name = "cachetop", mixinStandardHelpOptions = true,
        description = {"Show page cache hits, misses and read/write hit ratios per process, top-style, every interval."},
        footer = {"Needs kprobes: no tracepoint tells when a cached page is accessed. Prints a table per interval",
                "(bcc's curses screen is not reproduced; sorted by hits).",
                "", "examples:",
                "    jbcc cachetop            # every second",
                "    jbcc cachetop 5          # every 5 seconds",
                "    jbcc cachetop -p 42      # process 42 only",
                "    jbcc cachetop --json 1   # one JSON object per process and interval"})
public final class Cachetop extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Parameters(index = "0", arity = "0..1", paramLabel = "interval", description = "Interval between probes (default 1).")
    Integer interval;

    static final Columns COLUMNS = Columns.of("%-7d %-8s %-16s %8d %8d %8d %9.1f%% %9.1f%%",
            "PID", "UID", "CMD", "HITS", "MISSES", "DIRTIES", "READ_HIT%", "WRITE_HIT%");

    /** A process's four counts. */
    private record Proc(long pid, long uid, String comm, long[] counts) {
    }

    @Override
    protected void run(Session s) {
        if (interval != null && interval <= 0) throw usage("interval must be positive, not " + interval);
        String[] functions = PageCache.functions(s);
        try (BPF b = s.load(Cachetop.class, "cachetop.bpf.c", Map.of("FILTER_PID", pid == null ? -1 : pid))) {
            PageCache.attach(b, functions);
            KeyedTable<?> counts = b.get("counts");
            s.ready();
            s.everyInterval(Duration.ofSeconds(interval == null ? 1 : interval), 0, () -> {
                Map<Long, Proc> procs = new LinkedHashMap<>();
                for (var e : counts.items()) {
                    Value k = e.getKey();
                    Proc p = procs.computeIfAbsent(k.getLong("pid"), id -> new Proc(id, k.getLong("uid"), k.getString("comm"), new long[4]));
                    p.counts()[(int) k.getLong("role")] += ((Value) e.getValue()).value();
                }
                counts.clear();
                if (!s.json()) {
                    long[] mem = PageCache.buffersAndCachedMb();
                    s.out().printf("%-8s Buffers MB: %d / Cached MB: %d%n", Session.clock(), mem[0], mem[1]);
                }
                s.header(COLUMNS);
                List<Object[]> rows = new ArrayList<>();
                for (Proc p : procs.values()) {
                    long[] n = p.counts();
                    // bcc cachetop's reckoning: accesses and misses, and how many of them were reads or writes that hit
                    long access = n[PageCache.ACCESSED] + n[PageCache.BUFFER_DIRTIED];
                    long misses = n[PageCache.ADDED] + n[PageCache.DIRTIED];
                    double all = access + misses;
                    double readHit = n[PageCache.ACCESSED] > 0 ? 100 * n[PageCache.ACCESSED] / all : 0;
                    double writeHit = n[PageCache.ADDED] > 0 ? 100 * n[PageCache.ADDED] / all : 0;
                    rows.add(new Object[]{p.pid(), String.valueOf(p.uid()), p.comm(), access, misses, n[PageCache.BUFFER_DIRTIED], readHit, writeHit});
                }
                rows.sort(Comparator.comparingLong((Object[] r) -> (Long) r[3]).reversed());
                for (Object[] r : rows) s.row(COLUMNS, r);
            });
        }
    }
}
