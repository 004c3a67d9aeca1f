package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code jbcc jvm gc}: bcc's javagc (ugc -l java), one line per collection: how long it took, the
 * heap's use before and after, the cause and the collector.
 */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Trace garbage collections: duration, heap used before and after, cause and collector of each."},
        footer = {"", "examples:",
                "    jbcc jvm gc -p 1234             # collections of JVM 1234, durations in microseconds",
                "    jbcc jvm gc -m 1234             # durations in milliseconds (bcc's form: PID last)",
                "    jbcc jvm gc -M 10 -m -p 1234    # only collections of 10 ms or more",
                "    jbcc jvm gc -F Young -p 1234    # only collections whose collector or cause contains \"Young\"",
                "    jbcc jvm gc --json              # every JVM, one JSON object per collection",
                "    jbcc jvm gc --jfr gc.jfr 1234   # also into a JFR file, written on stop",
                "",
                "The cause is \"System.gc()\" when the collection ran while the JVM was in System.gc() (or",
                "Runtime.gc()); else HotSpot's probes do not give it, and the VM operation that ran it stands",
                "in (G1CollectForAllocation, G1CollectFull, ...), or \"-\" for one outside any.",
                "",
                "--jfr records jbcc.GarbageCollection events; read them with",
                "    jfr print --events jbcc.GarbageCollection gc.jfr"})
public final class Gc extends JvmPidTool {
    /** HotSpot's memory pools that are not the Java heap. */
    private static final Set<String> NOT_HEAP = Set.of("Metaspace", "Compressed Class Space", "CodeCache");

    @Option(names = {"-m", "--milliseconds"}, description = "Report durations in milliseconds (default: microseconds).")
    boolean milliseconds;

    @Option(names = {"-M", "--minimum"}, paramLabel = "MIN", description = "Only collections at least this long (in the unit of -m).")
    long minimum;

    @Option(names = {"-F", "--filter"}, paramLabel = "TEXT", description = "Only collections whose collector or cause contains this text.")
    String filter;

    @Mixin
    JfrOutput jfr = new JfrOutput();

    /** One collection under way in a thread of a JVM. */
    private static final class Collection {
        final long begin;
        final boolean full;
        final String cause;
        String collector = "-";
        final Map<String, Long> before = new LinkedHashMap<>();
        final Map<String, Long> after = new LinkedHashMap<>();

        Collection(long begin, boolean full, String cause) {
            this.begin = begin;
            this.full = full;
            this.cause = cause;
        }
    }

    @Override
    protected void run(Session s) {
        Columns columns = Columns.of("%-8.3f %-7d %-9.2f %-10d %-10d %-24s %s",
                "START", "PID", milliseconds ? "TIME(ms)" : "TIME(us)", "BEFORE(KB)", "AFTER(KB)", "CAUSE", "COLLECTOR");
        Map<Long, Collection> open = new HashMap<>();     // pid << 32 | tid
        Map<HotSpotProbe, String> probes = Map.of(HotSpotProbe.GC_BEGIN, "gc_begin", HotSpotProbe.GC_END, "gc_end",
                HotSpotProbe.MEM_POOL_GC_BEGIN, "pool_begin", HotSpotProbe.MEM_POOL_GC_END, "pool_end",
                HotSpotProbe.VMOPS_BEGIN, "vmop_begin", HotSpotProbe.VMOPS_END, "vmop_end");
        int pid = pid() == null ? -1 : pid();
        try (JfrOutput.Output recording = jfr.start(List.of(JfrOutput.GarbageCollection.class))) {
            trace(s, columns, open, probes, pid);
        }
    }

    private void trace(Session s, Columns columns, Map<Long, Collection> open, Map<HotSpotProbe, String> probes, int pid) {
        traceEvents(s, "gc.bpf.c", Map.of(), probes, "garbage collections", columns, t -> {
            t.bpf().attachUprobe(t.libjvm().toString(), "JVM_GC", "system_gc_enter", pid);
            t.bpf().attachUretprobe(t.libjvm().toString(), "JVM_GC", "system_gc_return", pid);
        }, e -> {
            long key = e.getLong("pid") << 32 | e.getLong("tid");
            switch ((int) e.getLong("kind")) {
                case 1 -> {
                    String op = e.getString("manager");
                    open.put(key, new Collection(e.getLong("ts"), e.getLong("full") != 0,
                            e.getLong("system_gc") != 0 ? "System.gc()" : op.isEmpty() ? "-" : op));
                }
                case 3, 4 -> {
                    Collection c = open.get(key);
                    if (c == null) return;
                    c.collector = e.getString("manager");
                    String pool = e.getString("pool");
                    if (NOT_HEAP.contains(pool) || pool.startsWith("CodeHeap")) return;
                    (e.getLong("kind") == 3 ? c.before : c.after).put(pool, e.getLong("used"));
                }
                case 2 -> {
                    Collection c = open.remove(key);
                    if (c != null) print(s, columns, (int) e.getLong("pid"), c, e.getLong("ts"));
                }
                default -> { }
            }
        });
    }

    private void print(Session s, Columns columns, int pid, Collection c, long end) {
        double elapsed = (end - c.begin) / (milliseconds ? 1e6 : 1e3);
        if (elapsed < minimum) return;
        String collector = c.collector + (c.full ? " (full)" : "");
        if (filter != null && !collector.contains(filter) && !c.cause.contains(filter)) return;
        long before = c.before.values().stream().mapToLong(Long::longValue).sum();
        long after = c.after.values().stream().mapToLong(Long::longValue).sum();
        s.row(columns, s.elapsedSeconds(), pid, elapsed, before / 1024, after / 1024, c.cause, collector);
        if (jfr.on()) {
            JfrOutput.GarbageCollection e = new JfrOutput.GarbageCollection();
            e.pid = pid;
            e.cause = c.cause;
            e.collector = c.collector;
            e.full = c.full;
            e.collectionDuration = end - c.begin;
            e.heapBefore = before;
            e.heapAfter = after;
            e.commit();
        }
    }
}
