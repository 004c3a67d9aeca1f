package dev.jbcc.tools.cpu;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.StackTrace;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.FlameGraph;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Stacks;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc wakeuptime}: blocked time summed by the waker and the waker's kernel stack. */
@Command(name = "wakeuptime", mixinStandardHelpOptions = true,
        description = {"Summarize sleep to wakeup time by waker kernel stack."},
        footer = {"", "examples:",
                "    jbcc wakeuptime                # blocked time by waker stack, until Ctrl-C",
                "    jbcc wakeuptime 5              # for five seconds",
                "    jbcc wakeuptime -f 5           # five seconds, folded for flame graphs",
                "    jbcc wakeuptime -u             # leave out kernel threads",
                "    jbcc wakeuptime -p 185         # only threads of process 185 being woken",
                "    jbcc wakeuptime -v             # frames with their addresses"})
public final class Wakeuptime extends Tool {
    @Option(names = {"-u", "--useronly"}, description = "User threads only (no kernel threads).")
    boolean userOnly;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = "-v", description = "Show raw addresses (bcc's -v; --verbose is jbcc's own).")
    boolean addresses;

    @Option(names = {"-f", "--folded"}, description = "Output folded format.")
    boolean folded;

    @Option(names = "--flamegraph", paramLabel = "FILE", description = "Also write an interactive flame graph to FILE (.html, or .svg).")
    Path flamegraph;

    @Mixin
    BlockOptions block;

    @Override
    protected void run(Session s) throws Exception {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_TGID", pid == null ? -1 : pid);
        defines.put("USER_ONLY", userOnly ? 1 : 0);
        block.define(defines);
        Hook hook = s.choose(Hook.rawTracepoint("sched_switch", "sched_wakeup"));
        try (BPF b = s.load(Wakeuptime.class, "wakeuptime.bpf.c", hook, defines)) {
            s.ready();
            if (!folded) {
                s.note("Tracing blocked time (us) by kernel stack" + block.until());
            }
            s.sleep(block.duration());
            StackTrace table = b.get("stack_traces");
            Stacks stacks = new Stacks(table, Stacks.Options.both());
            KeyedTable<?> counts = b.get("counts");
            List<Map.Entry<Value, Long>> found = new ArrayList<>();
            for (var e : counts.items()) found.add(Map.entry(e.getKey(), ((Value) e.getValue()).value()));
            found.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
            Map<String, Long> graph = new LinkedHashMap<>();
            for (var e : found) {
                Value k = e.getKey();
                long id = k.getLong("w_k_stack_id");
                String waker = k.getString("waker"), target = k.getString("target");
                List<String> frames = stacks.kernel(id);
                List<String> line = new ArrayList<>();
                line.add(waker);
                line.addAll(frames.reversed());
                line.add(target);
                graph.merge(String.join(";", line), e.getValue(), Long::sum);
                if (s.json()) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("target", target);
                    o.put("waker", waker);
                    o.put("waker_kernel_stack", frames);
                    o.put("usecs", e.getValue());
                    s.object(o);
                } else if (folded) {
                    s.out().println(String.join(";", line) + " " + e.getValue());
                } else {
                    s.out().printf("    %-16s %s%n", "target:", target);
                    // the frames shown are the stack's last ones (the tracing machinery's are left out)
                    List<Long> ips = id >= 0 ? table.walk((int) id) : List.of();
                    int skipped = ips.size() - frames.size();
                    for (int i = 0; i < frames.size(); i++) {
                        if (addresses && skipped >= 0) s.out().printf("    %-16x %s%n", ips.get(skipped + i), frames.get(i));
                        else s.out().printf("    %s%n", frames.get(i));
                    }
                    s.out().printf("    %-16s %s%n", "waker:", waker);
                    s.out().printf("        %d%n%n", e.getValue());
                }
            }
            s.out().flush();
            if (flamegraph != null) {
                FlameGraph.write(flamegraph, graph, "wakeuptime: usecs");
                s.note("wrote flame graph " + flamegraph);
            }
        }
    }
}
