package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.FlameGraph;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.StackOptions;
import dev.jbcc.tools.Stacks;
import dev.jbcc.tools.ThreadFilter;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc offwaketime}: blocked time by the blocked thread's stack and its waker's stack. */
@Command(name = "offwaketime", mixinStandardHelpOptions = true,
        description = {"Summarize blocked time by off-CPU stack and waker stack."},
        footer = {"", "examples:",
                "    jbcc offwaketime               # blocked time by off-CPU and waker stacks, until Ctrl-C",
                "    jbcc offwaketime 5             # for five seconds",
                "    jbcc offwaketime -f 5          # five seconds, folded for flame graphs",
                "    jbcc offwaketime -f --flamegraph ow.html 5   # and an interactive flame graph",
                "    jbcc offwaketime -m 1000       # only blocks longer than 1000 us",
                "    jbcc offwaketime -M 9000       # only blocks shorter than 9000 us",
                "    jbcc offwaketime -p 185,186    # only the threads of these processes",
                "    jbcc offwaketime -t 188        # only thread 188",
                "    jbcc offwaketime -u            # only user threads (no kernel threads)",
                "    jbcc offwaketime -k            # only kernel threads",
                "    jbcc offwaketime -U            # only user stacks",
                "    jbcc offwaketime -K            # only kernel stacks"})
public final class Offwaketime extends Tool {
    @ArgGroup(exclusive = true)
    Threads threads;

    static final class Threads {
        @Option(names = {"-p", "--pid"}, paramLabel = "PIDS", split = ",", description = "Trace these PIDs only (comma separated).")
        int[] pids;

        @Option(names = {"-t", "--tid"}, paramLabel = "TIDS", split = ",", description = "Trace these TIDs only (comma separated).")
        int[] tids;

        @Option(names = {"-u", "--user-threads-only"}, description = "User threads only (no kernel threads).")
        boolean user;

        @Option(names = {"-k", "--kernel-threads-only"}, description = "Kernel threads only (no user threads).")
        boolean kernel;
    }

    @Mixin
    StackOptions stacks;

    @Option(names = "--stack-storage-size", paramLabel = "STACK_STORAGE_SIZE",
            description = "The number of unique stack traces that can be stored and displayed (default ${DEFAULT-VALUE}).")
    int stackStorageSize = 1024;

    @Option(names = {"-m", "--min-block-time"}, paramLabel = "MIN_BLOCK_TIME",
            description = "Only blocks of at least this many microseconds (default ${DEFAULT-VALUE}).")
    long minBlock = 1;

    @Option(names = {"-M", "--max-block-time"}, paramLabel = "MAX_BLOCK_TIME",
            description = "Only blocks of at most this many microseconds (default: no limit).")
    Long maxBlock;

    @Option(names = "--state", paramLabel = "STATE",
            description = "Only threads that left the CPU in this state (e.g. 2 == TASK_UNINTERRUPTIBLE, see include/linux/sched.h).")
    Long state;

    @Parameters(index = "0", arity = "0..1", paramLabel = "duration", description = "Duration of trace, in seconds.")
    Integer duration;

    @Override
    protected void run(Session s) throws Exception {
        Stacks.Options shown = stacks.options();
        if (stackStorageSize <= 0) throw usage("--stack-storage-size must be positive, not " + stackStorageSize);
        if (minBlock < 0 || (maxBlock != null && maxBlock < minBlock)) throw usage("need 0 <= MIN_BLOCK_TIME <= MAX_BLOCK_TIME");
        if (duration != null && duration <= 0) throw usage("duration must be positive, not " + duration);
        Hook hook = s.choose(Hook.rawTracepoint("sched_switch", "sched_wakeup"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("THREAD_FILTER", ThreadFilter.condition(this, threads == null ? null : threads.pids, threads == null ? null : threads.tids));
        defines.put("THREADS", threads == null ? 0 : threads.user ? 1 : threads.kernel ? 2 : 0);
        defines.put("FILTER_STATE", state == null ? -1 : state);
        defines.put("MIN_US", minBlock + "ULL");
        defines.put("MAX_US", maxBlock == null ? "0xffffffffffffffffULL" : maxBlock + "ULL");
        defines.put("USER_STACKS", shown.kernelOnly() ? 0 : 1);
        defines.put("KERNEL_STACKS", shown.userOnly() ? 0 : 1);
        defines.put("STACK_STORAGE_SIZE", stackStorageSize);
        try (BPF b = s.load(Offwaketime.class, "offwaketime.bpf.c", hook, defines)) {
            s.ready();
            if (!stacks.folded()) {
                s.note("Tracing blocked time (us) by " + stacks.which() + " off-CPU and waker stack"
                        + (duration == null ? "... Hit Ctrl-C to end." : " for " + duration + " secs."));
            }
            s.sleep(duration == null ? Duration.ofDays(365_000) : Duration.ofSeconds(duration));
            Stacks printer = new Stacks(b.get("stack_traces"), shown);
            KeyedTable<?> counts = b.get("counts");
            List<Map.Entry<Value, Long>> found = new ArrayList<>();
            for (var e : counts.items()) found.add(Map.entry(e.getKey(), ((Value) e.getValue()).value()));
            found.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
            Map<String, Long> graph = new LinkedHashMap<>();
            for (var e : found) {
                Side target = side(printer, shown, e.getKey(), "t_", "target");
                Side waker = side(printer, shown, e.getKey(), "w_", "waker");
                long usecs = e.getValue();
                // folded: the target's stack root first, then the waker's leaf first, so that a flame
                // graph stacks the waker on top of the blocked code
                List<String> line = new ArrayList<>();
                line.add(target.comm);
                line.addAll(target.frames.reversed());
                line.add("--");
                line.addAll(waker.frames);
                line.add(waker.comm);
                String folded = String.join(";", line);
                graph.merge(folded, usecs, Long::sum);
                if (s.json()) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("target", target.comm);
                    o.put("target_pid", target.pid);
                    o.put("target_stack", target.frames);
                    o.put("waker", waker.comm);
                    o.put("waker_pid", waker.pid);
                    o.put("waker_stack", waker.frames);
                    o.put("usecs", usecs);
                    s.object(o);
                } else if (stacks.folded()) {
                    s.out().println(folded + " " + usecs);
                } else {
                    s.out().printf("    %-16s %s %d%n", "waker:", waker.comm, waker.pid);
                    for (String f : waker.frames.reversed()) s.out().println("    " + f);
                    s.out().printf("    %-16s %s%n", "--", "--");
                    for (String f : target.frames) s.out().println("    " + f);
                    s.out().printf("    %-16s %s %d%n", "target:", target.comm, target.pid);
                    s.out().printf("        %d%n%n", usecs);
                }
            }
            s.out().flush();
            if (stacks.flamegraph() != null) {
                FlameGraph.write(stacks.flamegraph(), graph, "offwaketime: usecs");
                s.note("wrote flame graph " + stacks.flamegraph());
            }
        }
    }

    /** One side of a block: a thread's name, id, and its frames innermost first (kernel, "-" with -d, user). */
    private record Side(String comm, long pid, List<String> frames) {
    }

    private static Side side(Stacks printer, Stacks.Options shown, Value k, String prefix, String name) {
        long kernelId = k.getLong(prefix + "k_stack_id"), userId = k.getLong(prefix + "u_stack_id");
        List<String> frames = new ArrayList<>();
        if (!shown.userOnly()) frames.addAll(printer.kernel(kernelId));
        if (shown.delimited() && !shown.userOnly() && !shown.kernelOnly() && kernelId >= 0 && userId >= 0) frames.add("-");
        if (!shown.kernelOnly()) frames.addAll(printer.user(userId, k.getLong(prefix + "tgid")));
        return new Side(k.getString(name), k.getLong(prefix + "pid"), frames);
    }

}
