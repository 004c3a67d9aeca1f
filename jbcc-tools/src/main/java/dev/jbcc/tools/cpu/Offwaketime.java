package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.FlameGraph;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.StackOptions;
import dev.jbcc.tools.Stacks;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
    @Mixin
    ThreadChoice threads;

    @Mixin
    StackOptions stacks;

    @Mixin
    BlockOptions block;

    @Override
    protected void run(Session s) throws Exception {
        Stacks.Options shown = stacks.options();
        Map<String, Object> defines = new LinkedHashMap<>();
        threads.define(this, defines);
        block.define(defines);
        stacks.define(defines);
        Hook hook = s.choose(Hook.rawTracepoint("sched_switch", "sched_wakeup"));
        try (BPF b = s.load(Offwaketime.class, "offwaketime.bpf.c", hook, defines)) {
            s.ready();
            if (!stacks.folded()) {
                s.note("Tracing blocked time (us) of " + threads.who() + " by " + stacks.which() + " off-CPU and waker stack" + block.until());
            }
            s.sleep(block.duration());
            Stacks printer = new Stacks(b.get("stack_traces"), shown).askJvms(threads.pids());
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
