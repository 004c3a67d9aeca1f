package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.StackTrace;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.ThreadFilter;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code jbcc klockstat}: kernel mutexes, per call site of {@code mutex_lock}: how long the callers
 * waited to get them and how long they held them.
 */
@Command(name = "klockstat", mixinStandardHelpOptions = true,
        description = {"Show how long kernel mutexes take to acquire and are held, per caller."},
        footer = {"", "examples:",
                "    jbcc klockstat                       # the whole system, until Ctrl-C",
                "    jbcc klockstat -d 5                  # for 5 seconds",
                "    jbcc klockstat -i 5                  # a summary every 5 seconds",
                "    jbcc klockstat -p 123                # the threads of process 123 only",
                "    jbcc klockstat -t 321                # thread 321 only",
                "    jbcc klockstat -c pipe_              # callers whose name has pipe_ in it",
                "    jbcc klockstat -S acq_count          # acquisitions sorted by count",
                "    jbcc klockstat -S hld_total          # holds sorted by total time",
                "    jbcc klockstat -n 3 -s 3             # top 3 callers, 2 frames under each",
                "    jbcc klockstat --json -d 5           # one JSON object per row"})
public final class Klockstat extends Tool {
    static final Hook KPROBES = Hook.kprobe("mutex_lock", "mutex_unlock");
    static final Hook KPROBES_NESTED = Hook.kprobe("mutex_lock_nested", "mutex_unlock");
    static final Hook FENTRY = Hook.fentry("mutex_lock", "mutex_unlock");
    static final Hook FENTRY_NESTED = Hook.fentry("mutex_lock_nested", "mutex_unlock");

    static final class Time {
        @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration of the trace, in seconds.")
        Integer duration;

        @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", description = "Print a summary every INTERVAL seconds.")
        Integer interval;
    }

    @ArgGroup(exclusive = true)
    Time time = new Time();

    @Option(names = {"-n", "--locks"}, paramLabel = "LOCKS", description = "Print this many callers of each table.")
    int locks = 99999999;

    @Option(names = {"-s", "--stacks"}, paramLabel = "STACKS", description = "Print this many stack entries (default 1: the caller only).")
    int stackEntries = 1;

    @Option(names = {"-c", "--caller"}, paramLabel = "CALLER", description = "Only callers whose name contains CALLER.")
    String caller;

    @Option(names = {"-S", "--sort"}, paramLabel = "SORT", split = ",",
            description = "Sort on acq_[max|total|count] and/or hld_[max|total|count] (default max).")
    List<String> sort = List.of();

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-t", "--tid"}, paramLabel = "TID", description = "Trace this TID only.")
    Integer tid;

    @Option(names = "--stack-storage-size", paramLabel = "N", description = "The number of distinct stacks kept (default 16384).")
    int stackStorage = 16384;

    /** One row: a caller's stack and its figures, in nanoseconds. */
    private record Row(List<String> frames, long count, long max, long total) {
        long value(String field) {
            return switch (field) {
                case "count" -> count;
                case "total" -> total;
                default -> max;
            };
        }
    }

    @Override
    protected void run(Session s) {
        if (time.duration != null && time.duration <= 0) throw usage("duration must be positive, not " + time.duration);
        if (time.interval != null && time.interval <= 0) throw usage("interval must be positive, not " + time.interval);
        if (locks <= 0 || stackEntries <= 0 || stackStorage <= 0) throw usage("--locks, --stacks and --stack-storage-size must be positive");
        String acquireSort = "max", holdSort = "max";
        for (String field : sort) {
            if (!field.matches("(acq|hld)_(max|total|count)")) throw usage("wrong sort field " + field + ": write acq_[max|total|count] or hld_[max|total|count]");
            if (field.startsWith("acq_")) acquireSort = field.substring(4);
            else holdSort = field.substring(4);
        }
        // a TID takes precedence over a PID, as in bcc
        String filter = tid != null ? ThreadFilter.condition(this, null, new int[]{tid})
                : ThreadFilter.condition(this, pid == null ? null : new int[]{pid}, null);
        Hook hook = s.choose(KPROBES_NESTED, KPROBES, FENTRY_NESTED, FENTRY);
        boolean nested = hook == KPROBES_NESTED || hook == FENTRY_NESTED;
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("THREAD_FILTER", "(" + filter + ")");
        defines.put("STACK_STORAGE", stackStorage);
        if (nested) defines.put("LOCK_NESTED", null);
        try (BPF b = s.load(Klockstat.class, "klockstat.bpf.c", hook, defines)) {
            if (hook instanceof Hook.Kprobe) {
                String lock = nested ? "mutex_lock_nested" : "mutex_lock";
                b.attachKprobe("mutex_unlock", "on_unlock");
                b.attachKretprobe(lock, "on_locked");
                b.attachKprobe(lock, "on_lock");
            }
            s.ready();
            s.note("Tracing lock events... Hit Ctrl-C to end.");
            StackTrace stacks = b.get("stacks");
            KeyedTable<?> acquire = b.get("acquire"), hold = b.get("hold");
            String aq = acquireSort, hl = holdSort;
            Runnable print = () -> {
                table(s, "Spin", "acquire", rows(acquire, stacks), aq);
                table(s, "Hold", "hold", rows(hold, stacks), hl);
                acquire.clear();
                hold.clear();
            };
            if (time.interval != null) s.everyInterval(Duration.ofSeconds(time.interval), 0, print);
            else s.everyInterval(time.duration != null ? Duration.ofSeconds(time.duration) : Duration.ofDays(36500), 1, print);
        }
    }

    /** The rows of {@code table}, each with its stack from the caller of the lock function out. */
    private List<Row> rows(KeyedTable<?> table, StackTrace stacks) {
        List<Row> rows = new ArrayList<>();
        for (var e : table.items()) {
            long id = e.getKey().value();
            Value v = (Value) e.getValue();
            List<String> frames = new ArrayList<>();
            if (id >= 0) {
                List<Long> ips = stacks.walk((int) id);
                int from = 0;
                for (int i = 0; i < ips.size(); i++) {
                    if (BPF.ksym(ips.get(i), false, false).startsWith("mutex_lock")) {
                        from = i + 1;
                        break;
                    }
                }
                for (int i = from; i < ips.size(); i++) frames.add(BPF.ksym(ips.get(i), false, true));
            }
            if (frames.isEmpty()) frames.add("[Missed Kernel Stack]");
            if (caller != null && !frames.getFirst().contains(caller)) continue;
            rows.add(new Row(frames, v.getLong("count"), v.getLong("max"), v.getLong("total")));
        }
        return rows;
    }

    private void table(Session s, String what, String name, List<Row> rows, String sortField) {
        rows.sort(Comparator.comparingLong((Row r) -> r.value(sortField)).reversed());
        if (rows.size() > locks) rows = rows.subList(0, locks);
        if (!s.json()) {
            s.out().printf(Locale.ROOT, "%n%40s %10s %6s %10s %10s%n", "Caller", "Avg " + what, "Count",
                    "Max " + what.toLowerCase(Locale.ROOT), "Total " + what.toLowerCase(Locale.ROOT));
        }
        for (Row r : rows) {
            long avg = r.count() == 0 ? 0 : r.total() / r.count();
            if (s.json()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("table", name);
                o.put("caller", r.frames().getFirst());
                o.put("avg", avg);
                o.put("count", r.count());
                o.put("max", r.max());
                o.put("total", r.total());
                o.put("stack", r.frames().subList(0, Math.min(stackEntries, r.frames().size())));
                s.object(o);
                continue;
            }
            s.out().printf(Locale.ROOT, "%40s %10d %6d %10d %10d%n", r.frames().getFirst(), avg, r.count(), r.max(), r.total());
            // -s N: N - 1 frames under the row, from the caller out (as bcc prints them)
            for (String f : r.frames().subList(0, Math.min(stackEntries - 1, r.frames().size()))) s.out().printf(Locale.ROOT, "%40s%n", f);
        }
        s.out().flush();
    }
}
