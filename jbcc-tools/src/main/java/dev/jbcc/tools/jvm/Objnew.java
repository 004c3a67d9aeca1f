package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.Map;

/** {@code jbcc jvm objnew}: bcc's javaobjnew (uobjnew -l java), allocations by class. */
@Command(name = "objnew", mixinStandardHelpOptions = true,
        description = {"Summarize object allocations by class: how many objects and bytes, per interval or at Ctrl-C."},
        footer = {"", "examples:",
                "    jbcc jvm objnew -p 1234          # allocations of JVM 1234 until Ctrl-C",
                "    jbcc jvm objnew 1234 1           # every second (bcc's form: PID, then interval)",
                "    jbcc jvm objnew -C 10 -p 1234    # the 10 classes with the most objects",
                "    jbcc jvm objnew -S 10 -p 1234    # the 10 classes with the most bytes",
                "    jbcc jvm objnew --json 1234 5    # one JSON object per class every 5 seconds",
                "",
                "The JVM must run with -XX:+ExtendedDTraceProbes (or -XX:+DTraceAllocProbes): HotSpot fires",
                "its allocation probe only then. The tool reads the JVM's flags (jcmd) and says so if not."})
public final class Objnew extends JvmPidTool {
    static final Columns COLUMNS = Columns.of("%-30s %8d %12d", "NAME/TYPE", "# ALLOCS", "# BYTES");

    @Parameters(index = "1", arity = "0..1", paramLabel = "INTERVAL", description = "Print every INTERVAL seconds (default: at Ctrl-C).")
    Integer interval;

    @Option(names = {"-C", "--top-count"}, paramLabel = "N", description = "Only the N classes with the most objects allocated.")
    Integer topCount;

    @Option(names = {"-S", "--top-size"}, paramLabel = "N", description = "Only the N classes with the most bytes allocated.")
    Integer topSize;

    @Override
    protected void run(Session s) {
        if (interval != null && interval <= 0) throw usage("the interval must be positive, not " + interval);
        try (Attached a = attach(s, "objnew.bpf.c", Map.of(), Map.of(HotSpotProbe.OBJECT_ALLOC, "object_alloc"))) {
            s.note("Tracing allocations in " + describeTargets() + "... Ctrl-C to quit.");
            s.ready();
            s.everyInterval(interval == null ? Duration.ofDays(36500) : Duration.ofSeconds(interval), interval == null ? 1 : 0,
                    () -> print(s, a));
        }
    }

    private void print(Session s, Attached a) {
        // bcc sorts by bytes unless -C
        var rows = drain(a, "allocs", k -> k.getString("name").replace('/', '.'), topCount != null ? 0 : 1,
                topCount != null ? topCount : topSize, "count", "bytes");
        if (!s.json()) s.out().println();
        s.header(COLUMNS);
        for (var e : rows) s.row(COLUMNS, e.getKey(), e.getValue()[0], e.getValue()[1]);
    }
}
