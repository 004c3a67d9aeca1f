package dev.jbcc.tools.tracing;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.StackTrace;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Probe;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Stacks;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc stackcount}: the stacks that lead to functions or tracepoints, counted. */
@Command(name = "stackcount", mixinStandardHelpOptions = true,
        description = {"Count the distinct stack traces that reach kernel or user functions or tracepoints."},
        footer = {"", "examples:",
                "    jbcc stackcount submit_bio            # kernel stacks that call submit_bio()",
                "    jbcc stackcount -d ip_output          # with a -- between kernel and user stacks",
                "    jbcc stackcount -s ip_output          # with symbol offsets",
                "    jbcc stackcount -sv ip_output         # with offsets and raw addresses",
                "    jbcc stackcount 'tcp_send*'           # functions matching tcp_send*",
                "    jbcc stackcount -r '^tcp_send.*'      # the same as a regular expression",
                "    jbcc stackcount -Ti 5 ip_output       # every 5 seconds, with the time",
                "    jbcc stackcount -p 185 c:malloc       # malloc() stacks of process 185",
                "    jbcc stackcount t:sched:sched_fork    # stacks at the sched_fork tracepoint",
                "    jbcc stackcount -p 185 u:node:*       # stacks at node's USDT probes",
                "    jbcc stackcount -K t:sched:sched_switch   # kernel stacks only",
                "    jbcc stackcount -U t:sched:sched_switch   # user stacks only",
                "    jbcc stackcount -f -P c:malloc > out.folded   # folded, per process, for flame graphs",
                "    jbcc stackcount --json c:malloc       # one JSON object per stack"})
public final class Stackcount extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-c", "--cpu"}, paramLabel = "CPU", description = "Trace this CPU only.")
    Integer cpu;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", description = "Summary interval, seconds.")
    Integer interval;

    @Option(names = {"-D", "--duration"}, paramLabel = "DURATION", description = "Total duration of trace, seconds.")
    Integer duration;

    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-r", "--regexp"}, description = "Use regular expressions. Default is \"*\" wildcards only.")
    boolean regexp;

    @Option(names = {"-s", "--offset"}, description = "Show address offsets.")
    boolean offset;

    @Option(names = {"-P", "--perpid"}, description = "Display stacks separately for each process.")
    boolean perPid;

    @Option(names = {"-K", "--kernel-stacks-only"}, description = "Kernel stack only.")
    boolean kernelOnly;

    @Option(names = {"-U", "--user-stacks-only"}, description = "User stack only.")
    boolean userOnly;

    @Option(names = {"-v"}, description = "Show raw addresses.")
    boolean addresses;

    @Option(names = {"-d", "--delimited"}, description = "Insert a delimiter between kernel and user stacks.")
    boolean delimited;

    @Option(names = {"-f", "--folded"}, description = "Output folded format.")
    boolean folded;

    @Option(names = "--debug", description = "Print the BPF program's generated part before starting.")
    boolean debug;

    @Parameters(index = "0", paramLabel = "pattern", description = "Search expression for events.")
    String pattern;

    @Override
    protected void run(Session s) {
        if (kernelOnly && userOnly) throw usage("-K and -U cannot be used together");
        Probe probe;
        Intervals.Period every;
        try {
            probe = Probe.parse(pattern);
            every = Intervals.forDuration(interval, duration);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        int filterPid = pid == null ? -1 : pid;
        List<Probe.Site> sites = probe.sites(regexp, filterPid);
        if (sites.size() > 1000) throw usage(sites.size() + " places match '" + pattern + "'; at most 1000 at once: narrow the pattern");
        // a user function's kernel stack is the breakpoint's handling: bcc leaves it out
        boolean kernel = !userOnly && !probe.kind().isUser();
        boolean user = !kernelOnly;
        boolean delimiter = delimited && kernel && user;

        StringBuilder c = new StringBuilder();
        for (int i = 0; i < sites.size(); i++) c.append(sites.get(i).define("probe_" + i, "    return count(ctx);", false));
        if (debug) s.note(c.toString());
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", filterPid);
        defines.put("FILTER_CPU", cpu == null ? -1 : cpu);
        defines.put("PER_PID", perPid ? 1 : 0);
        defines.put("KERNEL_STACK", kernel ? 1 : 0);
        defines.put("USER_STACK", user ? 1 : 0);
        try (BPF b = s.load(Stackcount.class, "stackcount.bpf.c", c.toString(), defines, Probe.usdtContexts(sites, Probe.functions("probe_", sites.size()), filterPid))) {
            for (int i = 0; i < sites.size(); i++) sites.get(i).attach(b, "probe_" + i, filterPid, false);
            KeyedTable<?> counts = b.get("counts");
            StackTrace stacks = b.get("stack_traces");
            s.ready();
            if (!folded) s.note("Tracing " + sites.size() + " functions for \"" + pattern + "\"... Hit Ctrl-C to end.");
            Intervals.every(s, every, () -> {
                if (!folded && !s.json()) s.out().println();
                if (timestamp && !s.json()) s.out().println(Session.clock());
                List<Map.Entry<Value, Long>> rows = new ArrayList<>();
                for (var e : counts.items()) rows.add(Map.entry(e.getKey(), ((Value) e.getValue()).value()));
                rows.sort(Comparator.comparingLong(Map.Entry::getValue));
                for (var row : rows) print(s, stacks, row.getKey(), row.getValue(), delimiter);
                counts.clear();
            });
            if (!folded) s.note("Detaching...");
        }
    }

    private void print(Session s, StackTrace stacks, Value key, long count, boolean delimiter) {
        int tgid = (int) key.getLong("tgid");
        List<String> kernel = Stacks.kernel(stacks, key.getLong("kernel_stack_id"), offset, addresses && !folded);
        List<String> user = Stacks.user(stacks, key.getLong("user_stack_id"), tgid, offset, addresses && !folded);
        String comm = perPid ? key.getString("name") : null;
        if (s.json()) {
            Map<String, Object> o = new LinkedHashMap<>();
            if (perPid) {
                o.put("comm", comm);
                o.put("pid", Integer.toUnsignedLong(tgid));
            }
            o.put("kernel_stack", kernel);
            o.put("user_stack", user);
            o.put("count", count);
            s.object(o);
        } else if (folded) {
            s.out().println(Stacks.folded(comm, user, kernel, delimiter, count));
        } else {
            for (String f : kernel) s.out().println("  " + f);
            if (delimiter) s.out().println("    --");
            for (String f : user) s.out().println("  " + f);
            if (perPid) s.out().printf("    %s [%d]%n", comm, tgid);
            s.out().printf("    %d%n%n", count);
        }
    }
}
