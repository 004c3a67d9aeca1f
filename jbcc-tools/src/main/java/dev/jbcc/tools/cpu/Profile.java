package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.link.PerfEventOptions;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc profile}: CPU stack samples at a timed interval. */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = {"Profile CPU stack traces at a timed interval."},
        footer = {"", "examples:",
                "    jbcc profile                   # sample stacks at 49 Hertz until Ctrl-C",
                "    jbcc profile -F 99             # sample at 99 Hertz",
                "    jbcc profile -c 1000000        # one sample every million cpu-clock nanoseconds",
                "    jbcc profile 5                 # sample for five seconds only",
                "    jbcc profile -f 5              # five seconds, folded for flame graphs",
                "    jbcc profile -f --flamegraph cpu.html 5   # and an interactive flame graph",
                "    jbcc profile -p 185            # only process 185 (or 185,186)",
                "    jbcc profile -p 185 -f         # a JVM: its Java frames named (jcmd 185 Compiler.perfmap)",
                "    jbcc profile -L 185            # only thread 185",
                "    jbcc profile -U                # only user stacks",
                "    jbcc profile -K                # only kernel stacks",
                "    jbcc profile -C 1              # only CPU 1"})
public final class Profile extends Tool {
    @ArgGroup(exclusive = true)
    Threads threads;

    static final class Threads {
        @Option(names = {"-p", "--pid"}, paramLabel = "PID", split = ",", description = "Profile these processes only (comma separated PIDs).")
        int[] pids;

        @Option(names = {"-L", "--tid"}, paramLabel = "TID", split = ",", description = "Profile these threads only (comma separated TIDs).")
        int[] tids;
    }

    @Mixin
    StackOptions stacks;

    @ArgGroup(exclusive = true)
    Rate rate;

    static final class Rate {
        @Option(names = {"-F", "--frequency"}, paramLabel = "FREQUENCY", description = "Sample frequency, Hertz (default 49).")
        Long frequency;

        @Option(names = {"-c", "--count"}, paramLabel = "COUNT", description = "Sample period, number of events.")
        Long count;
    }

    @Option(names = {"-a", "--annotations"}, description = "Add _[k] annotations to kernel frames.")
    boolean annotations;

    @Option(names = {"-I", "--include-idle"}, description = "Include CPU idle stacks.")
    boolean idle;

    @Option(names = "--stack-storage-size", paramLabel = "STACK_STORAGE_SIZE",
            description = "The number of unique stack traces that can be stored and displayed (default ${DEFAULT-VALUE}).")
    int stackStorageSize = 16384;

    @Option(names = {"-C", "--cpu"}, paramLabel = "CPU", description = "CPU number to run profile on.")
    Integer cpu;

    @Parameters(index = "0", arity = "0..1", paramLabel = "duration", description = "Duration of trace, in seconds.")
    Integer duration;

    @Override
    protected void run(Session s) throws Exception {
        Stacks.Options shown = stacks.options(annotations);
        long frequency = rate == null || rate.frequency == null ? 49 : rate.frequency;
        long period = rate == null || rate.count == null ? 0 : rate.count;
        if (period == 0 && frequency <= 0) throw usage("frequency must be positive, not " + frequency);
        if (rate != null && rate.count != null && period <= 0) throw usage("count must be positive, not " + period);
        if (stackStorageSize <= 0) throw usage("--stack-storage-size must be positive, not " + stackStorageSize);
        if (duration != null && duration <= 0) throw usage("duration must be positive, not " + duration);
        if (cpu != null && (cpu < 0 || cpu >= Runtime.getRuntime().availableProcessors())) {
            throw usage("no CPU " + cpu + " (CPUs are 0.." + (Runtime.getRuntime().availableProcessors() - 1) + ")");
        }
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("THREAD_FILTER", ThreadFilter.condition(this, threads == null ? null : threads.pids, threads == null ? null : threads.tids));
        defines.put("INCLUDE_IDLE", idle ? 1 : 0);
        stacks.define(defines);
        defines.put("STACK_STORAGE_SIZE", stackStorageSize);
        try (BPF b = s.load(Profile.class, "profile.bpf.c", defines)) {
            b.attachPerfEvent(PerfEventOptions.TYPE_SOFTWARE, PerfEventOptions.SoftwareEvent.CPU_CLOCK.ordinal(), "do_perf_event",
                    period, period == 0 ? frequency : 0, -1, cpu == null ? -1 : cpu);
            s.ready();
            if (!stacks.folded()) {
                String who = ThreadFilter.describe(threads == null ? null : threads.pids, threads == null ? null : threads.tids);
                s.note("Sampling at " + (period == 0 ? frequency + " Hertz" : "every " + period + " events") + " of " + who
                        + " by " + stacks.which() + " stack" + (cpu == null ? "" : " on CPU#" + cpu)
                        + (duration == null ? "... Hit Ctrl-C to end." : " for " + duration + " secs."));
            }
            s.sleep(duration == null ? Duration.ofDays(365_000) : Duration.ofSeconds(duration));
            b.detachPerfEvent(PerfEventOptions.TYPE_SOFTWARE, PerfEventOptions.SoftwareEvent.CPU_CLOCK.ordinal());
            KeyedTable<?> counts = b.get("counts");
            List<Stacks.Stack> found = new ArrayList<>();
            for (var e : counts.items()) {
                Value k = e.getKey();
                found.add(new Stacks.Stack(k.getString("name"), k.getLong("pid"), k.getLong("pid"),
                        k.getLong("user_stack_id"), k.getLong("kernel_stack_id"), ((Value) e.getValue()).value()));
            }
            Stacks printer = new Stacks(b.get("stack_traces"), shown).askJvms(threads == null || threads.pids == null ? new int[0] : threads.pids);
            stacks.print(s, printer, found, "samples");
        }
    }
}
