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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc capable}: security capability checks, as they happen. */
@Command(name = "capable", mixinStandardHelpOptions = true,
        description = {"Trace security capability checks (cap_capable): who asked for which capability."},
        footer = {"", "examples:",
                "    jbcc capable                   # every audited capability check",
                "    jbcc capable -v                # non-audit checks too",
                "    jbcc capable -p 181            # PID 181's checks only",
                "    jbcc capable -K                # with the kernel stack of each check",
                "    jbcc capable -U                # with the user stack of each check",
                "    jbcc capable -x                # add the TID and INSETID columns",
                "    jbcc capable -K --unique       # a stack only once per process and capability",
                "    jbcc capable --json            # one JSON object per check",
                "",
                "Where the kernel has no kprobes or fentry, the capability:cap_capable tracepoint (6.14+) is used:",
                "it does not say whether a check is audited (AUDIT and INSETID show N/A, and -v has no effect)."})
public final class Capable extends Tool {
    private static final String[] NAMES = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
            "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
            "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
            "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE"};

    @Option(names = "-v", description = "Include non-audit checks (--verbose is jbcc's own: which hooks were chosen).")
    boolean includeNonAudit;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-K", "--kernel-stack"}, description = "Output the kernel stack trace.")
    boolean kernelStack;

    @Option(names = {"-U", "--user-stack"}, description = "Output the user stack trace.")
    boolean userStack;

    @Option(names = {"-x", "--extra"}, description = "Show the extra TID and INSETID columns.")
    boolean extra;

    @Option(names = "--unique", description = "Don't repeat stacks for the same process and capability.")
    boolean unique;

    /** The name of capability {@code cap}, or {@code ?}. */
    static String name(int cap) {
        return cap >= 0 && cap < NAMES.length ? NAMES[cap] : "?";
    }

    @Override
    protected void run(Session s) {
        Columns columns = extra
                ? Columns.of("%-9s %-6d %-6d %-6d %-16s %-4d %-20s %-6s %s", "TIME", "UID", "PID", "TID", "COMM", "CAP", "NAME", "AUDIT", "INSETID")
                : Columns.of("%-9s %-6d %-6d %-16s %-4d %-20s %-6s", "TIME", "UID", "PID", "COMM", "CAP", "NAME", "AUDIT");
        Hook hook = s.choose(Hook.kprobe("cap_capable"), Hook.fentry("cap_capable"), Hook.tracepoint("capability:cap_capable"));
        if (hook instanceof Hook.Tracepoint && includeNonAudit) s.verbose("the tracepoint does not tell audited checks from others: -v has no effect");
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("SELF", ProcessHandle.current().pid());
        defines.put("VERBOSE", includeNonAudit ? 1 : 0);
        defines.put("KERNEL_STACKS", kernelStack ? 1 : 0);
        defines.put("USER_STACKS", userStack ? 1 : 0);
        defines.put("UNIQUE", unique ? 1 : 0);
        try (BPF b = s.load(Capable.class, "capable.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            StackTrace stacks = b.get("stacks");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                int cap = (int) e.getLong("cap");
                long tgid = e.getLong("tgid");
                Object audit = known(s, e.getLong("audit")), insetid = known(s, e.getLong("insetid"));
                List<Object> row = new ArrayList<>(List.of(Session.clock(), e.getLong("uid"), tgid));
                if (extra) row.add(e.getLong("tid"));
                row.addAll(java.util.Arrays.asList(e.getString("comm"), cap, name(cap), audit)); // audit may be null
                if (extra) row.add(insetid);
                if (s.json() && (kernelStack || userStack)) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    for (int i = 0; i < row.size(); i++) o.put(columns.keys().get(i), row.get(i));
                    if (kernelStack) o.put("kernel_stack", stack(stacks, e.getLong("kernel_stack_id"), -1));
                    if (userStack) o.put("user_stack", stack(stacks, e.getLong("user_stack_id"), tgid));
                    s.object(o);
                    return;
                }
                s.row(columns, row.toArray());
                if (s.json()) return;
                if (kernelStack) printStack(s, stacks, e.getLong("kernel_stack_id"), -1, "Kernel");
                if (userStack) printStack(s, stacks, e.getLong("user_stack_id"), tgid, "User");
            });
            s.header(columns);
            s.pollUntilStopped(b, null);
        }
    }

    /** A value the hook could not see (-1): {@code N/A} as text, null in JSON. */
    private static Object known(Session s, long v) {
        return v >= 0 ? (Object) Long.toString(v) : s.json() ? null : "N/A";
    }

    private static List<String> stack(StackTrace stacks, long id, long pid) {
        // -EFAULT: no stack of that kind here (a kernel thread's user stack): empty, not missed
        if (id < 0) return id == -14 ? List.of() : List.of("[Missed Stack]");
        return pid < 0 ? Stacks.kernel(stacks, id, true, false) : Stacks.user(stacks, id, (int) pid, true, false);
    }

    private static void printStack(Session s, StackTrace stacks, long id, long pid, String kind) {
        if (id < 0 && id != -14) {
            s.out().println("    [Missed " + kind + " Stack]");
            return;
        }
        for (String frame : stack(stacks, id, pid)) s.out().println("        " + frame);
    }
}
