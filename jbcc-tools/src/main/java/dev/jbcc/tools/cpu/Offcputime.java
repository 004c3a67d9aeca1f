package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.StackOptions;
import dev.jbcc.tools.Stacks;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc offcputime}: off-CPU time summed by the stacks threads blocked in. */
@Command(name = "offcputime", mixinStandardHelpOptions = true,
        description = {"Summarize off-CPU time by stack trace."},
        footer = {"", "examples:",
                "    jbcc offcputime                # off-CPU time by stack, until Ctrl-C",
                "    jbcc offcputime 5              # for five seconds",
                "    jbcc offcputime -f 5           # five seconds, folded for flame graphs",
                "    jbcc offcputime -f --flamegraph off.html 5   # and an interactive flame graph",
                "    jbcc offcputime -m 1000        # only blocks longer than 1000 us",
                "    jbcc offcputime -M 10000       # only blocks shorter than 10000 us",
                "    jbcc offcputime -p 185         # only the threads of process 185",
                "    jbcc offcputime -t 188         # only thread 188",
                "    jbcc offcputime -u             # only user threads (no kernel threads)",
                "    jbcc offcputime -k             # only kernel threads",
                "    jbcc offcputime -U             # only user stacks",
                "    jbcc offcputime -K             # only kernel stacks",
                "    jbcc offcputime --state 2      # only threads blocked uninterruptibly"})
public final class Offcputime extends Tool {
    @ArgGroup(exclusive = true)
    Threads threads;

    static final class Threads {
        @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
        Integer pid;

        @Option(names = {"-t", "--tid"}, paramLabel = "TID", description = "Trace this TID only.")
        Integer tid;

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
        Hook hook = s.choose(Hook.rawTracepoint("sched_switch"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_TGID", threads == null || threads.pid == null ? -1 : threads.pid);
        defines.put("FILTER_TID", threads == null || threads.tid == null ? -1 : threads.tid);
        defines.put("THREADS", threads == null ? 0 : threads.user ? 1 : threads.kernel ? 2 : 0);
        defines.put("FILTER_STATE", state == null ? -1 : state);
        defines.put("MIN_US", minBlock + "ULL");
        defines.put("MAX_US", maxBlock == null ? "0xffffffffffffffffULL" : maxBlock + "ULL");
        defines.put("USER_STACKS", shown.kernelOnly() ? 0 : 1);
        defines.put("KERNEL_STACKS", shown.userOnly() ? 0 : 1);
        defines.put("STACK_STORAGE_SIZE", stackStorageSize);
        try (BPF b = s.load(Offcputime.class, "offcputime.bpf.c", hook, defines)) {
            s.ready();
            if (!stacks.folded()) {
                s.note("Tracing off-CPU time (us) of " + who() + " by " + stacks.which() + " stack"
                        + (duration == null ? "... Hit Ctrl-C to end." : " for " + duration + " secs."));
            }
            s.sleep(duration == null ? java.time.Duration.ofDays(365_000) : java.time.Duration.ofSeconds(duration));
            KeyedTable<?> counts = b.get("counts");
            List<Stacks.Stack> found = new ArrayList<>();
            for (var e : counts.items()) {
                Value k = e.getKey();
                found.add(new Stacks.Stack(k.getString("name"), k.getLong("pid"), k.getLong("tgid"),
                        k.getLong("user_stack_id"), k.getLong("kernel_stack_id"), ((Value) e.getValue()).value()));
            }
            stacks.print(s, new Stacks(b.get("stack_traces"), shown), found, "usecs");
        }
    }

    private String who() {
        if (threads == null) return "all threads";
        if (threads.pid != null) return "PID " + threads.pid;
        if (threads.tid != null) return "TID " + threads.tid;
        return threads.user ? "user threads" : "kernel threads";
    }
}
