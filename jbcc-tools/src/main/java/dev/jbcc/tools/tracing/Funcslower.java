package dev.jbcc.tools.tracing;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.StackTrace;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Probe;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Stacks;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc funcslower}: calls of functions that took longer than a threshold. */
@Command(name = "funcslower", mixinStandardHelpOptions = true,
        description = {"Trace kernel or user function calls slower than a threshold, one line each."},
        footer = {"", "examples:",
                "    jbcc funcslower vfs_write          # vfs_write() calls slower than 1 ms",
                "    jbcc funcslower -m 10 vfs_write    # slower than 10 ms",
                "    jbcc funcslower -u 10 c:open       # open() of the C library slower than 10 us",
                "    jbcc funcslower -p 135 c:open      # process 135 only",
                "    jbcc funcslower c:malloc c:free    # malloc() and free() slower than 1 ms",
                "    jbcc funcslower -a 2 c:open        # with open()'s first two arguments",
                "    jbcc funcslower -UK -m 10 c:open   # with the user and kernel stacks",
                "    jbcc funcslower -f -UK c:open      # stacks folded, for flame graphs",
                "    jbcc funcslower --json c:open      # one JSON object per slow call"})
public final class Funcslower extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-m", "--min-ms"}, paramLabel = "MIN_MS", description = "Minimum duration to trace (ms).")
    Double minMs;

    @Option(names = {"-u", "--min-us"}, paramLabel = "MIN_US", description = "Minimum duration to trace (us).")
    Double minUs;

    @Option(names = {"-a", "--arguments"}, paramLabel = "ARGUMENTS", description = "Print this many entry arguments, as hex.")
    int arguments;

    @Option(names = {"-T", "--time"}, description = "Show HH:MM:SS timestamp.")
    boolean time;

    @Option(names = {"-t", "--timestamp"}, description = "Show timestamp in seconds at us resolution.")
    boolean timestamp;

    @Option(names = {"-f", "--folded"}, description = "Output folded format, one line per stack (for flame graphs).")
    boolean folded;

    @Option(names = {"-U", "--user-stack"}, description = "Output user stack trace.")
    boolean userStack;

    @Option(names = {"-K", "--kernel-stack"}, description = "Output kernel stack trace.")
    boolean kernelStack;

    @Parameters(index = "0..*", arity = "1..*", paramLabel = "function", description = "Function(s) to trace.")
    List<String> functions;

    @Override
    protected void run(Session s) {
        if (minMs != null && minUs != null) throw usage("-m and -u cannot be used together");
        if (arguments < 0 || arguments > 6) throw usage("-a takes 0..6 arguments, not " + arguments);
        if (folded && !userStack && !kernelStack) throw usage("-f folds stacks: add -U and/or -K");
        int filterPid = pid == null ? -1 : pid;
        List<Probe.Site> sites = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        for (String f : functions) {
            Probe probe;
            try {
                probe = Probe.parse(f);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            if (probe.kind() == Probe.Kind.TRACEPOINT || probe.kind() == Probe.Kind.USDT) throw usage("funcslower times functions; " + f + " has no return");
            for (Probe.Site site : probe.sites(false, filterPid)) {
                sites.add(site);
                shown.add(f.contains("*") ? site.display() : f);
            }
        }
        double threshold = minUs != null ? minUs : minMs != null ? minMs : 1;
        String unit = minUs != null ? "us" : "ms";
        long unitNs = minUs != null ? 1000 : 1_000_000;

        StringBuilder c = new StringBuilder();
        for (int i = 0; i < sites.size(); i++) {
            c.append(sites.get(i).define("enter_" + i, "    return enter(ctx);", false));
            c.append(sites.get(i).returning().define("leave_" + i, "    return leave(ctx, " + i + ");", false));
        }
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", filterPid);
        defines.put("MIN_NS", (long) (threshold * unitNs));
        defines.put("NARGS", arguments);
        defines.put("USER_STACK", userStack ? 1 : 0);
        defines.put("KERNEL_STACK", kernelStack ? 1 : 0);

        Columns columns = Columns.of("%-14.14s %-6d %7.2f %16x %s", "COMM", "PID", "LAT(" + unit + ")", "RVAL",
                arguments > 0 ? "FUNC ARGS" : "FUNC");
        if (time || timestamp) columns = columns.prepend(time ? "%-10s " : "%-10.6f ", "TIME");
        Columns out = columns;
        long[] earliest = {0};
        try (BPF b = s.load(Funcslower.class, "funcslower.bpf.c", c.toString(), defines)) {
            for (int i = 0; i < sites.size(); i++) {
                sites.get(i).attach(b, "enter_" + i, filterPid, false);
                sites.get(i).returning().attach(b, "leave_" + i, filterPid, false);
            }
            PerfEventArray events = b.get("events");
            StackTrace stacks = userStack || kernelStack ? b.get("stacks") : null;
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                int tgid = (int) (e.getLong("tgid_pid") >>> 32);
                List<String> user = userStack ? Stacks.user(stacks, e.getLong("user_stack_id"), tgid, false, false) : List.of();
                List<String> kernel = kernelStack ? Stacks.kernel(stacks, e.getLong("kernel_stack_id"), false, false) : List.of();
                String comm = e.getString("comm");
                if (folded) {
                    s.out().println(Stacks.folded(comm, user, kernel, true, 1));
                    return;
                }
                StringBuilder func = new StringBuilder(shown.get((int) e.getLong("id")));
                List<Value> args = e.field("args").elements();
                for (int i = 0; i < arguments; i++) func.append(" 0x").append(Long.toHexString(args.get(i).value()));
                List<Object> row = new ArrayList<>();
                if (time) row.add(Session.clock());
                else if (timestamp) {
                    if (earliest[0] == 0) earliest[0] = e.getLong("start_ns");
                    row.add((e.getLong("start_ns") - earliest[0]) / 1e9);
                }
                row.addAll(List.of(comm, tgid, e.getLong("duration_ns") / (double) unitNs, e.getLong("retval"), func.toString()));
                if (s.json()) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    for (int i = 0; i < out.keys().size(); i++) o.put(out.keys().get(i), row.get(i));
                    if (userStack) o.put("user_stack", user);
                    if (kernelStack) o.put("kernel_stack", kernel);
                    s.object(o);
                    return;
                }
                s.row(out, row.toArray());
                for (String f : kernel) s.out().println("    " + f);
                for (String f : user) s.out().println("    " + f);
            });
            if (!folded && !s.json()) {
                s.out().println("Tracing function calls slower than " + fmt(threshold) + " " + unit + "... Ctrl+C to quit.");
            }
            if (folded) s.ready();
            else s.header(out);
            s.pollUntilStopped(b, null);
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
