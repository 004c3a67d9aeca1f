package dev.jbcc.tools.jvm;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.HashTable;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.LoadAverage;
import dev.jbcc.tools.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code jbcc jvm stat}: bcc's javastat (ustat -l java), a top-like summary of what each JVM does. */
@Command(name = "stat", mixinStandardHelpOptions = true,
        description = {"Summarize each JVM's activity per interval, like top: method calls, collections, allocations, class loads and thread starts per second."},
        footer = {"", "examples:",
                "    jbcc jvm stat                  # every JVM every second, like top",
                "    jbcc jvm stat -C 5             # every 5 seconds, the screen not cleared",
                "    jbcc jvm stat -C 5 12          # the same, 12 times, then end",
                "    jbcc jvm stat -S gc -r 5       # the 5 JVMs that collect most",
                "    jbcc jvm stat -p 1234 --json 1 # JVM 1234: one JSON object per second",
                "",
                "METHOD/s needs a JVM started with -XX:+DTraceMethodProbes, OBJNEW/s one with",
                "-XX:+DTraceAllocProbes (JDK 17: -XX:+ExtendedDTraceProbes sets both). Without",
                "them HotSpot does not fire those probes: the tool says so and the column stays 0.",
                "HotSpot has no probe for exceptions: EXC/s is always 0, as in bcc's javastat."})
public final class Stat extends JvmTool {
    static final Columns COLUMNS = Columns.of("%-6d %-20.20s %-10d %-6d %-10d %-8d %-6d %-6d",
            "PID", "CMDLINE", "METHOD/s", "GC/s", "OBJNEW/s", "CLOAD/s", "EXC/s", "THR/s");
    /** The kinds the C counts, in its enum's order, and their column (EXC/s has no probe: column 6). */
    private static final int[] COLUMN_OF_KIND = {2, 3, 4, 5, 7};
    private static final List<String> SORTS = List.of("cload", "excp", "gc", "method", "objnew", "thread");
    private static final int[] COLUMN_OF_SORT = {5, 6, 3, 2, 4, 7};

    @Parameters(index = "0", arity = "0..1", paramLabel = "INTERVAL", description = "Print every INTERVAL seconds (default: 1).")
    int interval = 1;

    @Parameters(index = "1", arity = "0..1", paramLabel = "COUNT", description = "Print COUNT times, then end (default: until Ctrl-C).")
    long count;

    @Option(names = {"-C", "--noclear"}, description = "Do not clear the screen before each interval.")
    boolean noClear;

    @Option(names = {"-S", "--sort"}, paramLabel = "FIELD",
            description = "Sort by this field, largest first: cload, excp, gc, method, objnew or thread (default: by PID).")
    String sort;

    @Option(names = {"-r", "--maxrows"}, paramLabel = "MAXROWS", description = "Print at most MAXROWS JVMs (default: 20).")
    int maxRows = 20;

    @Option(names = {"-d", "--debug"}, description = "Print the BPF program (C) before loading it.")
    boolean debug;

    @Override
    protected void run(Session s) {
        if (interval <= 0) throw usage("the interval must be positive, not " + interval);
        if (count < 0) throw usage("the count must not be negative, not " + count);
        if (maxRows <= 0) throw usage("-r must be positive, not " + maxRows);
        if (sort != null && !SORTS.contains(sort)) throw usage("-S " + sort + ": sort by one of " + String.join(", ", SORTS));
        if (debug) s.note(Session.text(Stat.class, "stat.bpf.c"));
        Map<HotSpotProbe, String> probes = new LinkedHashMap<>();
        probes.put(HotSpotProbe.METHOD_ENTRY, "method_entry");
        probes.put(HotSpotProbe.GC_BEGIN, "gc_begin");
        probes.put(HotSpotProbe.OBJECT_ALLOC, "object_alloc");
        probes.put(HotSpotProbe.CLASS_LOADED, "class_loaded");
        probes.put(HotSpotProbe.THREAD_START, "thread_start");
        Map<HotSpotProbe, String> optionalColumns = Map.of(HotSpotProbe.METHOD_ENTRY, "METHOD/s", HotSpotProbe.OBJECT_ALLOC, "OBJNEW/s");
        List<HotSpotProbe> optional = List.copyOf(optionalColumns.keySet());
        try (Attached a = attach(s, "stat.bpf.c", Map.of(), probes, optional)) {
            Map<Integer, String> commandLines = new TreeMap<>();
            for (Attached.Target t : a.targets()) {
                for (Jvm j : t.jvms()) {
                    commandLines.put(j.pid(), String.join(" ", Jvm.commandLine(j.pid())));
                    JvmFlags flags = JvmFlags.of(j);
                    optionalColumns.forEach((probe, column) -> flags.missingFor(List.of(probe), j)
                            .ifPresent(m -> s.note(s.tool() + ": " + m + "; " + column + " stays 0")));
                }
            }
            s.note("Tracing " + describeTargets() + "... Output every " + interval + " secs. Hit Ctrl-C to end");
            s.ready();
            s.everyInterval(Duration.ofSeconds(interval), count, () -> print(s, a, commandLines));
        }
    }

    private void print(Session s, Attached a, Map<Integer, String> commandLines) {
        Map<Integer, long[]> counts = new TreeMap<>();
        commandLines.keySet().forEach(pid -> counts.put(pid, new long[5]));
        for (BPF b : a.bpfs()) {
            HashTable t = b.get("counts");
            for (var e : t.itemsLookupAndDeleteBatch()) {
                int pid = (int) e.getKey().getLong("pid");
                counts.computeIfAbsent(pid, k -> new long[5])[(int) e.getKey().getLong("kind")] += e.getValue().value();
            }
        }
        List<Object[]> rows = new ArrayList<>();
        for (var e : counts.entrySet()) {
            int pid = e.getKey();
            String cmdline = commandLines.computeIfAbsent(pid, p -> String.join(" ", Jvm.commandLine(p)));
            boolean idle = Arrays.stream(e.getValue()).allMatch(n -> n == 0);
            if (idle && !Files.isDirectory(Path.of("/proc", Integer.toString(pid)))) {
                commandLines.remove(pid);  // ended
                continue;
            }
            Object[] row = {pid, cmdline.isEmpty() ? jvmName(pid) : cmdline, 0L, 0L, 0L, 0L, 0L, 0L};
            for (int k = 0; k < COLUMN_OF_KIND.length; k++) row[COLUMN_OF_KIND[k]] = e.getValue()[k] / interval;
            rows.add(row);
        }
        if (sort != null) {
            int column = COLUMN_OF_SORT[SORTS.indexOf(sort)];
            rows.sort(Comparator.comparingLong((Object[] r) -> (Long) r[column]).reversed());
        }
        if (!s.json()) {
            s.out().print(noClear ? "\n" : "\033[H\033[2J");
            s.out().printf("%-8s loadavg: %s%n%n", Session.clock(), LoadAverage.text());
            s.out().println(COLUMNS.header());
        }
        for (Object[] row : rows.subList(0, Math.min(maxRows, rows.size()))) s.row(COLUMNS, row);
    }
}
