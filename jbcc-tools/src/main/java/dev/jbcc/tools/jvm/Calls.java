package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Syscalls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc jvm calls}: bcc's javacalls (ucalls -l java), Java method calls by method. */
@Command(name = "calls", mixinStandardHelpOptions = true,
        description = {"Summarize Java method calls: how many of each method, with -L how long they took, per interval or at Ctrl-C."},
        footer = {"", "examples:",
                "    jbcc jvm calls -p 1234           # calls of JVM 1234 until Ctrl-C",
                "    jbcc jvm calls 1234 1            # every second (bcc's form: PID, then interval)",
                "    jbcc jvm calls -T 10 -p 1234     # the 10 most called methods",
                "    jbcc jvm calls -L -p 1234        # with the total time in each (microseconds)",
                "    jbcc jvm calls -mL -p 1234       # the same in milliseconds",
                "    jbcc jvm calls -S -p 1234        # system calls too, by name",
                "    jbcc jvm calls --json -p 1234    # one JSON object per method",
                "",
                "The JVM must run with -XX:+DTraceMethodProbes (JDK 17: or -XX:+ExtendedDTraceProbes):",
                "HotSpot fires its method probes only then, and runs slower with them. The tool reads the",
                "JVM's flags (jcmd) and says so if not."})
public final class Calls extends JvmPidTool {
    @Parameters(index = "1", arity = "0..1", paramLabel = "INTERVAL", description = "Print every INTERVAL seconds (default: at Ctrl-C).")
    Integer interval;

    @Option(names = {"-T", "--top"}, paramLabel = "TOP", description = "Only the TOP most frequent (with -L: slowest) methods.")
    Integer top;

    @Option(names = {"-L", "--latency"}, description = "Record each method's time from entry to return (not across recursive calls).")
    boolean latency;

    @Option(names = {"-S", "--syscalls"}, description = "Count the JVM's system calls too, by name (needs -p PID).")
    boolean syscalls;

    @Option(names = {"-m", "--milliseconds"}, description = "Report times in milliseconds (default: microseconds).")
    boolean milliseconds;

    @Override
    protected void run(Session s) {
        if (interval != null && interval <= 0) throw usage("the interval must be positive, not " + interval);
        if (syscalls && pid() == null) throw usage("-S counts the syscalls of one JVM: give its PID (-p PID)");
        Columns columns = latency
                ? Columns.of("%-50s %8d %8.2f", "METHOD", "# CALLS", milliseconds ? "TIME (ms)" : "TIME (us)")
                : Columns.of("%-50s %8d", "METHOD", "# CALLS");
        Map<HotSpotProbe, String> probes = new LinkedHashMap<>();
        probes.put(HotSpotProbe.METHOD_ENTRY, "method_entry");
        if (latency) probes.put(HotSpotProbe.METHOD_RETURN, "method_return");
        Map<String, Object> defines = new LinkedHashMap<>();
        if (latency) defines.put("LATENCY", null);
        if (syscalls) defines.put("SYSCALLS", pid());
        try (Attached a = attach(s, "calls.bpf.c", defines, probes)) {
            s.note("Tracing calls in " + describeTargets() + "... Ctrl-C to quit.");
            s.ready();
            s.everyInterval(interval == null ? Duration.ofDays(36500) : Duration.ofSeconds(interval), interval == null ? 1 : 0,
                    () -> print(s, a, columns));
        }
    }

    private void print(Session s, Attached a, Columns columns) {
        int sortBy = latency ? 1 : 0;
        var rows = drain(a, "counts", k -> k.getString("klass").replace('/', '.') + "." + k.getString("method"),
                sortBy, syscalls ? null : top, "calls", "total_ns");
        if (syscalls) {
            rows = new ArrayList<>(rows);
            rows.addAll(drain(a, "syscalls", k -> Syscalls.name(k.value()), sortBy, null, "calls", "total_ns"));
            rows.sort(Comparator.comparingLong(e -> e.getValue()[sortBy]));
            if (top != null && rows.size() > top) rows = rows.subList(rows.size() - top, rows.size());
        }
        if (!s.json()) s.out().println();
        s.header(columns);
        for (var e : rows) {
            if (latency) s.row(columns, e.getKey(), e.getValue()[0], e.getValue()[1] / (milliseconds ? 1e6 : 1e3));
            else s.row(columns, e.getKey(), e.getValue()[0]);
        }
    }
}
