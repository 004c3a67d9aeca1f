package dev.jbcc.tools.memory;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import dev.jbcc.tools.Users;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc drsnoop}: direct reclaims, with their latency and the pages they freed. */
@Command(name = "drsnoop", mixinStandardHelpOptions = true,
        description = {"Trace direct reclaim: allocations that had to free memory themselves, with latency and pages freed."},
        footer = {"", "examples:",
                "    jbcc drsnoop             # trace all direct reclaim",
                "    jbcc drsnoop -T          # include timestamps",
                "    jbcc drsnoop -U          # include UID",
                "    jbcc drsnoop -p 181      # only trace PID 181",
                "    jbcc drsnoop -t 123      # only trace TID 123",
                "    jbcc drsnoop -u 1000     # only trace UID 1000",
                "    jbcc drsnoop -d 10       # trace for 10 seconds only",
                "    jbcc drsnoop -n main     # only print process names containing \"main\"",
                "    jbcc drsnoop --memcg     # also reclaims of memory cgroups at their limit (MEMCG column)",
                "    jbcc drsnoop --json      # one JSON object per reclaim"})
public final class Drsnoop extends Tool {
    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-U", "--print-uid"}, description = "Print a UID column.")
    boolean printUid;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-t", "--tid"}, paramLabel = "TID", description = "Trace this TID only.")
    Integer tid;

    @Option(names = {"-u", "--uid"}, paramLabel = "UID", description = "Trace this UID only.")
    String uid;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration of trace in seconds.")
    Integer duration;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Only print process names containing this name.")
    String name;

    @Option(names = {"-v"}, description = "Show system memory state (free memory when the event is printed).")
    boolean memState;

    @Option(names = "--memcg", description = "Also trace the reclaims of memory cgroups at their limit (jbcc's addition).")
    boolean memcg;

    @Override
    protected void run(Session s) {
        if (duration != null && duration <= 0) throw usage("duration must be positive, not " + duration);
        long filterUid = uid == null ? -1 : Users.uid(uid).orElseThrow(() -> usage("no user " + uid));
        Hook hook = memcg
                ? s.choose(Hook.tracepoint("vmscan:mm_vmscan_direct_reclaim_begin", "vmscan:mm_vmscan_direct_reclaim_end",
                        "vmscan:mm_vmscan_memcg_reclaim_begin", "vmscan:mm_vmscan_memcg_reclaim_end"))
                : s.choose(Hook.tracepoint("vmscan:mm_vmscan_direct_reclaim_begin", "vmscan:mm_vmscan_direct_reclaim_end"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("FILTER_TID", tid == null ? -1 : tid);
        defines.put("FILTER_UID", filterUid);
        defines.put("MEMCG", memcg ? 1 : 0);
        Columns columns = Columns.of("%-14.14s %-6d %8.2f %5d", "COMM", "PID", "LAT(ms)", "PAGES");
        if (printUid) columns = columns.prepend("%-6d ", "UID");
        if (timestamp) columns = columns.prepend("%-14.9f", "TIME(s)");
        if (memState) columns = columns.append(" %10d", "FREE(KB)");
        if (memcg) columns = columns.append(" %5s", "MEMCG");
        Columns out = columns;
        long[] first = {0};
        try (BPF b = s.load(Drsnoop.class, "drsnoop.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                String comm = e.getString("comm");
                if (name != null && !comm.contains(name)) return;
                if (first[0] == 0) first[0] = e.getLong("ts");
                List<Object> row = new ArrayList<>();
                if (timestamp) row.add((e.getLong("ts") - first[0]) / 1e9);
                if (printUid) row.add(e.getLong("uid"));
                row.addAll(List.of(comm, e.getLong("pid"), e.getLong("delta_ns") / 1e6, e.getLong("nr_reclaimed")));
                if (memState) row.add(ProcFiles.memFreeKb());
                if (memcg) row.add(e.getLong("memcg") != 0 ? "yes" : "no");
                s.row(out, row.toArray());
            });
            s.header(out);
            s.pollUntilStopped(b, duration == null ? null : Duration.ofSeconds(duration));
        }
    }
}
