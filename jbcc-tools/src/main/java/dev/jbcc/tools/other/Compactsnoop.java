package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.StackTrace;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Stacks;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code jbcc compactsnoop}: each memory compaction of a zone, with its latency and result. */
@Command(name = "compactsnoop", mixinStandardHelpOptions = true,
        description = {"Trace memory compaction of zones: who compacted which zone, for what order, how long, with what result."},
        footer = {"", "examples:",
                "    jbcc compactsnoop              # every zone compaction",
                "    jbcc compactsnoop -T           # with a timestamp",
                "    jbcc compactsnoop -p 181       # compactions PID 181 makes (direct compaction)",
                "    jbcc compactsnoop -d 10        # for 10 seconds only",
                "    jbcc compactsnoop -K           # with the kernel stack of each",
                "    jbcc compactsnoop --json       # one JSON object per compaction",
                "",
                "ORDER is -1 for compaction of whole zones (/proc/sys/vm/compact_memory, kcompactd's proactive runs)."})
public final class Compactsnoop extends Tool {
    /** enum compact_result, in the kernel's order. */
    private static final String[] STATUS = {"not_suitable_zone", "skipped", "deferred", "no_suitable_page", "continue",
            "complete", "partial_skipped", "contended", "success"};

    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration of the trace, in seconds.")
    Integer duration;

    @Option(names = {"-K", "--kernel-stack"}, description = "Output the kernel stack trace.")
    boolean kernelStack;

    /** A zone: its node and name, from /proc/zoneinfo. */
    record Zone(long node, String name, long start, long spanned) {
    }

    @Override
    protected void run(Session s) {
        if (duration != null && duration <= 0) throw usage("duration must be positive, not " + duration);
        Columns columns = Columns.of("%-14.14s %-6d %-4s %-12s %-5d %-7s %9.3f %16s", "COMM", "PID", "NODE", "ZONE", "ORDER", "MODE", "LAT(ms)", "STATUS");
        if (timestamp) columns = columns.prepend("%-14.9f ", "TIME(s)");
        Columns shown = columns;
        Hook hook = s.choose(Hook.tracepoint("compaction:mm_compaction_suitable", "compaction:mm_compaction_begin",
                "compaction:mm_compaction_end"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("KERNEL_STACKS", kernelStack ? 1 : 0);
        List<Zone> zones = zones();
        long[] first = {0};
        try (BPF b = s.load(Compactsnoop.class, "compactsnoop.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            StackTrace stacks = b.get("stacks");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                long ts = e.getLong("ts");
                if (first[0] == 0) first[0] = ts;
                long zoneStart = e.getLong("zone_start");
                Zone z = zones.stream().filter(x -> zoneStart >= x.start() && zoneStart < x.start() + Math.max(1, x.spanned()))
                        .findFirst().orElse(new Zone(-1, "?", zoneStart, 0));
                int status = (int) e.getLong("status");
                List<Object> row = new ArrayList<>();
                if (timestamp) row.add((ts - first[0]) / 1e9);
                row.addAll(List.of(e.getString("comm"), e.getLong("pid"), z.node() < 0 ? "?" : Long.toString(z.node()),
                        z.name(), e.getLong("order"), e.getLong("sync") != 0 ? "SYNC" : "ASYNC", e.getLong("delta") / 1e6,
                        status >= 0 && status < STATUS.length ? STATUS[status] : Integer.toString(status)));
                List<String> stack = kernelStack ? Stacks.kernel(stacks, e.getLong("stack_id"), true, false) : List.of();
                if (s.json()) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    for (int i = 0; i < row.size(); i++) o.put(shown.keys().get(i), row.get(i));
                    if (kernelStack) o.put("kernel_stack", stack);
                    s.object(o);
                    return;
                }
                s.out().println(shown.row(row.toArray()));
                if (kernelStack) {
                    for (String frame : stack) s.out().println("\t" + frame);
                    s.out().println();
                }
            });
            s.header(shown);
            s.pollUntilStopped(b, duration == null ? null : Duration.ofSeconds(duration));
        }
    }

    /** The zones of /proc/zoneinfo with their first page frame and span. */
    static List<Zone> zones() {
        List<Zone> zones = new ArrayList<>();
        long node = -1, spanned = 0;
        String name = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/zoneinfo"))) {
                String t = line.trim();
                if (t.startsWith("Node ")) {
                    String[] f = t.split("[ ,]+");
                    node = Long.parseLong(f[1]);
                    name = "ZONE_" + f[3].toUpperCase(Locale.ROOT);
                    spanned = 0;
                } else if (t.startsWith("spanned")) {
                    spanned = Long.parseLong(t.split("\\s+")[1]);
                } else if (t.startsWith("start_pfn:") && name != null) {
                    zones.add(new Zone(node, name, Long.parseLong(t.split("\\s+")[1]), spanned));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no zoneinfo: zones show as ?
        }
        return zones;
    }
}
