package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc numasched}: threads that move from one NUMA node to another. */
@Command(name = "numasched", mixinStandardHelpOptions = true,
        description = {"Trace threads switching NUMA nodes: each time one runs on another node than the last time."},
        footer = {"", "examples:",
                "    jbcc numasched                 # every thread's switches",
                "    jbcc numasched -p 185          # PID 185's threads only",
                "    jbcc numasched -t 186          # thread 186 only",
                "    jbcc numasched -c java         # threads whose command is java",
                "    jbcc numasched --json          # one JSON object per switch"})
public final class Numasched extends Tool {
    static final Columns COLUMNS = Columns.of("%-8s %-8d %-8d %-8d -> %-8d %s", "TIME", "PID", "TID", "SRC_NID", "DST_NID", "COMM");

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-t", "--tid"}, paramLabel = "TID", description = "Trace this TID only.")
    Integer tid;

    @Option(names = {"-c", "--comm"}, paramLabel = "COMM", description = "Trace this command only.")
    String comm;

    @Override
    protected void run(Session s) {
        Hook hook = s.choose(Hook.tracepoint("sched:sched_switch"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("FILTER_TID", tid == null ? -1 : tid);
        try (BPF b = s.load(Numasched.class, "numasched.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                String command = e.getString("comm");
                if (comm != null && !comm.equals(command)) return;
                s.row(COLUMNS, Session.clock(), e.getLong("pid"), e.getLong("tid"), e.getLong("old_nid"), e.getLong("new_nid"), command);
            });
            s.note("Tracing task NUMA switch...");
            s.header(COLUMNS);
            s.pollUntilStopped(b, null);
        }
    }
}
