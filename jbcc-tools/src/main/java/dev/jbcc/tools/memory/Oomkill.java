package dev.jbcc.tools.memory;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import dev.jbcc.tools.Tracepoints;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc oomkill}: each kill by the out-of-memory killer. */
@Command(name = "oomkill", mixinStandardHelpOptions = true,
        description = {"Trace the out-of-memory killer: one line per OOM kill, with the load average."},
        footer = {"With kprobes the line gives the pages the OOM was about (oom_kill_process()); on the oom:mark_victim",
                "tracepoint it gives the victim's total VM instead, where the kernel's tracepoint has it.",
                "", "examples:",
                "    jbcc oomkill            # trace OOM kills until Ctrl-C",
                "    jbcc oomkill --json     # one JSON object per kill"})
public final class Oomkill extends Tool {
    private static final String TRACEPOINT = "oom:mark_victim";

    @Override
    protected void run(Session s) {
        Hook hook = s.choose(Hook.kprobe("oom_kill_process"), Hook.tracepoint(TRACEPOINT));
        boolean details = hook instanceof Hook.Tracepoint && Tracepoints.hasField(TRACEPOINT, "total_vm") && Tracepoints.hasField(TRACEPOINT, "comm");
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("HAVE_VICTIM_DETAILS", details ? 1 : 0);
        try (BPF b = s.load(Oomkill.class, "oomkill.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                long tpid = e.getLong("tpid");
                String tcomm = e.getLong("has_tcomm") != 0 ? e.getString("tcomm") : ProcFiles.comm(tpid);
                String loadavg = ProcFiles.loadavg();
                if (s.json()) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("time", Session.clock());
                    o.put("trigger_pid", e.getLong("fpid"));
                    o.put("trigger_comm", e.getString("fcomm"));
                    o.put("victim_pid", tpid);
                    o.put("victim_comm", tcomm);
                    if (hook instanceof Hook.Kprobe) o.put("pages", e.getLong("pages"));
                    if (details) o.put("total_vm_kb", e.getLong("total_vm_kb"));
                    o.put("loadavg", loadavg);
                    s.object(o);
                    return;
                }
                String what = hook instanceof Hook.Kprobe ? ", " + e.getLong("pages") + " pages"
                        : details ? ", total-vm " + e.getLong("total_vm_kb") + " kB" : "";
                s.out().printf("%s Triggered by PID %d (\"%s\"), OOM kill of PID %d (\"%s\")%s, loadavg: %s%n", Session.clock(),
                        e.getLong("fpid"), e.getString("fcomm"), tpid, tcomm, what, loadavg);
            });
            s.ready();
            s.note("Tracing OOM kills... Ctrl-C to end.");
            s.pollUntilStopped(b, null);
        }
    }
}
