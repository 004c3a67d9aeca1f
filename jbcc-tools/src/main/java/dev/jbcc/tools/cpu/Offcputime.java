package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.StackOptions;
import dev.jbcc.tools.Stacks;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
                "    jbcc offcputime -p 185         # only the threads of process 185 (a JVM: Java frames named)",
                "    jbcc offcputime -t 188         # only thread 188",
                "    jbcc offcputime -u             # only user threads (no kernel threads)",
                "    jbcc offcputime -k             # only kernel threads",
                "    jbcc offcputime -U             # only user stacks",
                "    jbcc offcputime -K             # only kernel stacks",
                "    jbcc offcputime --state 2      # only threads blocked uninterruptibly"})
public final class Offcputime extends Tool {
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
        Hook hook = s.choose(Hook.rawTracepoint("sched_switch"));
        try (BPF b = s.load(Offcputime.class, "offcputime.bpf.c", hook, defines)) {
            s.ready();
            if (!stacks.folded()) {
                s.note("Tracing off-CPU time (us) of " + threads.who() + " by " + stacks.which() + " stack" + block.until());
            }
            s.sleep(block.duration());
            KeyedTable<?> counts = b.get("counts");
            List<Stacks.Stack> found = new ArrayList<>();
            for (var e : counts.items()) {
                Value k = e.getKey();
                found.add(new Stacks.Stack(k.getString("name"), k.getLong("pid"), k.getLong("tgid"),
                        k.getLong("user_stack_id"), k.getLong("kernel_stack_id"), ((Value) e.getValue()).value()));
            }
            stacks.print(s, new Stacks(b.get("stack_traces"), shown).askJvms(threads.pids()), found, "usecs");
        }
    }
}
