package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;

/** {@code jbcc jvm safepoint}: VM operations and the pauses at safepoints they take. */
@Command(name = "safepoint", mixinStandardHelpOptions = true,
        description = {"Trace VM operations (GC pauses, deoptimization, thread dumps...): how long each took, and whether at a safepoint."},
        footer = {"", "examples:",
                "    jbcc jvm safepoint -p 1234          # VM operations of JVM 1234, durations in microseconds",
                "    jbcc jvm safepoint -m -M 5 -p 1234  # only those of 5 ms or more",
                "    jbcc jvm safepoint --json           # every JVM, one JSON object per operation",
                "",
                "SAFEPOINT says whether Java threads were stopped meanwhile. The time is the operation's own,",
                "from the VM thread: reaching the safepoint before it is not included."})
public final class Safepoint extends JvmPidTool {
    @Option(names = {"-m", "--milliseconds"}, description = "Report durations in milliseconds (default: microseconds).")
    boolean milliseconds;

    @Option(names = {"-M", "--minimum"}, paramLabel = "MIN", description = "Only operations at least this long (in the unit of -m).")
    long minimum;

    @Override
    protected void run(Session s) {
        Columns columns = Columns.of("%-8.3f %-7d %10.2f %-9s %s", "TIME", "PID", milliseconds ? "LAT(ms)" : "LAT(us)", "SAFEPOINT", "OPERATION");
        traceEvents(s, "safepoint.bpf.c", Map.of(),
                Map.of(HotSpotProbe.VMOPS_BEGIN, "vmop_begin", HotSpotProbe.VMOPS_END, "vmop_end"),
                "VM operations", columns, t -> { }, op -> {
                    double elapsed = op.getLong("duration_ns") / (milliseconds ? 1e6 : 1e3);
                    if (elapsed < minimum) return;
                    s.row(columns, s.elapsedSeconds(), op.getLong("pid"), elapsed, op.getLong("at_safepoint") != 0 ? "yes" : "no",
                            op.getString("name"));
                });
    }
}
