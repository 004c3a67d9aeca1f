package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Syscalls;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc syscount}: syscalls counted, and optionally timed, per syscall or per process. */
@Command(name = "syscount", mixinStandardHelpOptions = true,
        description = {"Summarize syscall counts and latencies, per syscall or per process."},
        footer = {"", "examples:",
                "    jbcc syscount                  # count syscalls until Ctrl-C, the top 10",
                "    jbcc syscount -p 181 -L        # PID 181's syscalls, with the time spent in them",
                "    jbcc syscount -P -i 1          # syscalls per process, every second",
                "    jbcc syscount -x               # failed syscalls only",
                "    jbcc syscount -e ENOENT        # syscalls that failed with ENOENT",
                "    jbcc syscount --syscall openat # count openat only",
                "    jbcc syscount -l               # list the syscall names known here",
                "    jbcc syscount --json -i 5      # one JSON object every 5 seconds"})
public final class Syscount extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace only this pid.")
    Integer pid;

    @Option(names = {"-t", "--tid"}, paramLabel = "TID", description = "Trace only this tid.")
    Integer tid;

    @Option(names = {"-c", "--ppid"}, paramLabel = "PPID", description = "Trace only children of this pid.")
    Integer ppid;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", description = "Print a summary at this interval (seconds).")
    Integer interval;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration of the trace, in seconds.")
    Integer duration;

    @Option(names = {"-T", "--top"}, paramLabel = "TOP", description = "Print only the top syscalls by count or latency (default ${DEFAULT-VALUE}).")
    int top = 10;

    @Option(names = {"-x", "--failures"}, description = "Trace only failed syscalls (return < 0).")
    boolean failures;

    @Option(names = {"-e", "--errno"}, paramLabel = "ERRNO", description = "Trace only syscalls that return this error (numeric or EPERM, etc.).")
    String errno;

    @Option(names = {"-L", "--latency"}, description = "Collect syscall latency.")
    boolean latency;

    @Option(names = {"-m", "--milliseconds"}, description = "Display latency in milliseconds (default: microseconds).")
    boolean milliseconds;

    @Option(names = {"-P", "--process"}, description = "Count by process and not by syscall.")
    boolean process;

    @Option(names = {"-l", "--list"}, description = "Print the list of recognized syscalls and exit.")
    boolean list;

    @Option(names = "--syscall", paramLabel = "SYSCALL", description = "Trace this syscall only (-l lists them).")
    String syscall;

    @Override
    protected void run(Session s) {
        if (list) {
            printList(s);
            return;
        }
        if (top <= 0) throw usage("--top must be positive, not " + top);
        if (interval != null && interval <= 0) throw usage("interval must be positive, not " + interval);
        if (duration != null && duration <= 0) throw usage("duration must be positive, not " + duration);
        int nr = syscall == null ? -1 : Syscalls.number(syscall).orElseThrow(() -> usage("syscall '" + syscall + "' not found (-l lists them)"));
        int err = errno == null ? 0 : Syscalls.errno(errno).orElseThrow(() -> usage("couldn't map " + errno + " to an errno"));
        Hook hook = s.choose(latency ? Hook.tracepoint("raw_syscalls:sys_enter", "raw_syscalls:sys_exit")
                : Hook.tracepoint("raw_syscalls:sys_exit"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("FILTER_TID", tid == null ? -1 : tid);
        defines.put("FILTER_PPID", ppid == null ? -1 : ppid);
        defines.put("FILTER_SYSCALL_NR", nr);
        defines.put("FILTER_FAILED", failures ? 1 : 0);
        defines.put("FILTER_ERRNO", err);
        defines.put("LATENCY", latency ? 1 : 0);
        defines.put("BY_PROCESS", process ? 1 : 0);
        long seconds = interval != null ? interval : duration != null ? duration : 99_999_999L;
        long count = duration == null ? 0 : Math.max(1, (duration + seconds - 1) / seconds);
        try (BPF b = s.load(Syscount.class, "syscount.bpf.c", hook, defines)) {
            KeyedTable<Value> data = b.get("data");
            s.ready();
            s.note(syscall != null ? "Tracing " + (failures ? "failed " : "") + "syscall '" + syscall + "'... Ctrl+C to quit."
                    : "Tracing " + (failures ? "failed " : "") + "syscalls, printing top " + top + "... Ctrl+C to quit.");
            KeyedTable<Value> comms = b.get("comms");
            s.everyInterval(Duration.ofSeconds(seconds), count, () -> print(s, data, comms));
            if (!s.json()) s.out().println("Detaching...");
        }
    }

    private void print(Session s, KeyedTable<Value> data, KeyedTable<Value> comms) {
        List<Map.Entry<Value, Value>> rows = new ArrayList<>(data.items());
        data.clear();
        Map<Long, String> names = new LinkedHashMap<>();
        for (var e : comms.items()) names.put(e.getKey().value(), e.getValue().getString("comm"));
        comms.clear();
        rows.removeIf(e -> e.getKey().value() == 0xFFFFFFFFL);
        rows.sort(Comparator.comparingLong((Map.Entry<Value, Value> e) -> e.getValue().getLong(latency ? "total_ns" : "count")).reversed());
        rows = rows.subList(0, Math.min(top, rows.size()));
        double unit = milliseconds ? 1e6 : 1e3;
        String timeName = milliseconds ? "TIME (ms)" : "TIME (us)";
        String agg = process ? "PID    COMM" : "SYSCALL";
        Columns columns = latency ? Columns.of("%-22s %8d " + (milliseconds ? "%16.6f" : "%16.3f"), agg, "COUNT", timeName)
                : Columns.of("%-22s %8d", agg, "COUNT");
        if (s.json()) {
            List<Map<String, Object>> objects = new ArrayList<>();
            for (var e : rows) {
                Map<String, Object> o = new LinkedHashMap<>();
                long key = e.getKey().value();
                if (process) {
                    o.put("pid", key);
                    o.put("comm", names.computeIfAbsent(key, Syscount::comm));
                } else {
                    o.put("syscall", Syscalls.name(key));
                }
                o.put("count", e.getValue().getLong("count"));
                if (latency) o.put(milliseconds ? "time_ms" : "time_us", e.getValue().getLong("total_ns") / unit);
                objects.add(o);
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("time", Session.clock());
            summary.put(process ? "processes" : "syscalls", objects);
            s.object(summary);
            return;
        }
        s.out().println("[" + Session.clock() + "]");
        s.out().println(columns.header());
        for (var e : rows) {
            long key = e.getKey().value();
            String name = process ? String.format("%-6d %-15s", key, names.computeIfAbsent(key, Syscount::comm)) : Syscalls.name(key);
            s.out().println(latency ? columns.row(name, e.getValue().getLong("count"), e.getValue().getLong("total_ns") / unit)
                    : columns.row(name, e.getValue().getLong("count")));
        }
        s.out().println();
    }

    /** The command of a process the program saw no command for (bcc reads them all here). */
    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return "[unknown]";
        }
    }

    private static void printList(Session s) {
        List<String> names = Syscalls.all().values().stream().sorted().toList();
        for (int i = 0; i < names.size(); i += 4) {
            List<String> row = new ArrayList<>();
            for (String n : names.subList(i, Math.min(i + 4, names.size()))) row.add(String.format("%-22s", n));
            s.out().println(String.join("   ", row).stripTrailing());
        }
    }
}
