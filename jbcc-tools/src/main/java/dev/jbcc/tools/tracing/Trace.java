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
import dev.jbcc.tools.Users;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code jbcc trace}: a line per hit of functions or tracepoints, with a printf-style message. */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Trace kernel or user functions and tracepoints, printing a message of their arguments per hit."},
        footer = {"", "A probe: [p|r]:[LIB]:FUNC[(SIGNATURE)] [(PREDICATE)] [\"FORMAT\"[, ARG...]], or t:CATEGORY:EVENT ..., u:LIB:PROBE ...",
                "ARGs and the PREDICATE are C, with arg1..arg6, retval (r: probes), $pid (thread), $tgid, $uid, $gid, $cpu,",
                "$task and args->FIELD (tracepoints); FORMAT takes %%d %%i %%u %%x %%X %%c %%s %%p %%K (kernel symbol) %%U (user",
                "symbol) with l/ll/h and widths. A string (%%s) is read from kernel or user memory; ARG@user reads it",
                "from the process's memory.",
                "", "examples:",
                "    jbcc trace do_sys_open                       # each do_sys_open() call",
                "    jbcc trace 'do_sys_open \"%%s\", arg2@user'    # with the file name",
                "    jbcc trace 'sys_read (arg3 > 20000) \"read %%d bytes\", arg3'   # big reads only",
                "    jbcc trace 'r::do_sys_open \"%%llx\", retval'  # what it returns",
                "    jbcc trace 'c:malloc \"size = %%d\", arg1'     # malloc() sizes",
                "    jbcc trace 'r:c:malloc (retval) \"allocated = %%x\", retval'",
                "    jbcc trace 't:block:block_rq_complete \"sectors=%%d\", args->nr_sector'",
                "    jbcc trace 't:syscalls:sys_enter_openat \"%%s\", args->filename' -n bash   # openat() by bash",
                "    jbcc trace -p 42 -UK 'c:write \"%%d bytes\", arg3'   # with stacks, process 42 only",
                "    jbcc trace 'u:pthread:pthread_create (arg4 != 0)'   # a USDT probe, with its 4th argument",
                "    jbcc trace 'p::do_nanosleep(struct hrtimer_sleeper *t) \"%%lld\", t->timer.node.expires'",
                "    jbcc trace -M 10 -T --json 't:sched:sched_process_exec \"%%s\", args->filename'",
                "", "Not supported (yet): -A, -c, -I, -B, -s, STRCMP in predicates."})
public final class Trace extends Tool {
    @Option(names = {"-b", "--buffer-pages"}, paramLabel = "PAGES", description = "Pages of each perf buffer (default ${DEFAULT-VALUE}).")
    int bufferPages = 64;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this process only.")
    Integer pid;

    @Option(names = {"-L", "--tid"}, paramLabel = "TID", description = "Trace this thread only.")
    Integer tid;

    @Option(names = "--uid", paramLabel = "UID", description = "Trace this user only.")
    String uid;

    @Option(names = {"-Z", "--string-size"}, paramLabel = "SIZE", description = "Most bytes read of a string (default ${DEFAULT-VALUE}).")
    int stringSize = 80;

    @Option(names = {"-S", "--include-self"}, description = "Do not leave out jbcc's own process.")
    boolean includeSelf;

    @Option(names = {"-M", "--max-events"}, paramLabel = "N", description = "Quit after this many events.")
    Integer maxEvents;

    @Option(names = {"-t", "--timestamp"}, description = "Print a timestamp column (seconds since the first event).")
    boolean timestamp;

    @Option(names = {"-u", "--unix-timestamp"}, description = "With -t: print the UNIX time (seconds since 1970) instead.")
    boolean unixTimestamp;

    @Option(names = {"-T", "--time"}, description = "Print a time column (HH:MM:SS).")
    boolean time;

    @Option(names = {"-C", "--print_cpu"}, description = "Print the CPU.")
    boolean printCpu;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Only print processes whose names contain NAME.")
    String name;

    @Option(names = {"-f", "--msg-filter"}, paramLabel = "TEXT", description = "Only print messages that contain TEXT.")
    String msgFilter;

    @Option(names = {"-K", "--kernel-stack"}, description = "Print the kernel stack of each event.")
    boolean kernelStack;

    @Option(names = {"-U", "--user-stack"}, description = "Print the user stack of each event.")
    boolean userStack;

    @Option(names = {"-a", "--address"}, description = "Print the addresses in stacks.")
    boolean address;

    @Parameters(arity = "1..*", paramLabel = "probe", description = "Probe specifier (see examples).")
    List<String> probes;

    private static final Pattern CONVERSION = Pattern.compile("%([-+ 0#]*)(\\d*)(\\.\\d+)?(hh|h|ll|l|z)?([diuxXcspKU%])");

    /** One probe as written: where, its predicate, its format and the C of its values. */
    private record Spec(String text, ProbeText.Where where, Probe.Site site, String predicate, String format,
                        List<Character> conversions, List<String> values, List<Boolean> userStrings) {
        String display() {
            return site.kind() == Probe.Kind.TRACEPOINT ? site.name().substring(site.name().indexOf(':') + 1) : site.name();
        }
    }

    @Override
    protected void run(Session s) {
        if (stringSize < 1 || stringSize > 4096) throw usage("--string-size must be 1..4096, not " + stringSize);
        if (maxEvents != null && maxEvents < 1) throw usage("--max-events must be positive, not " + maxEvents);
        long filterUid = uid == null ? -1 : Users.uid(uid).orElseThrow(() -> usage("no user " + uid));
        int filterPid = pid == null ? -1 : pid;
        List<Spec> specs = new ArrayList<>();
        for (String text : probes) {
            try {
                specs.add(parse(text, filterPid));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        boolean stacks = kernelStack || userStack;
        StringBuilder c = new StringBuilder();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            c.append(eventStruct(i, specs.get(i)));
            bodies.add(body(i, specs.get(i), stacks));
        }
        List<Probe.Site> sites = specs.stream().map(Spec::site).toList();
        c.append(ProbeText.functions(sites, bodies));

        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", filterPid);
        defines.put("FILTER_TID", tid == null ? -1 : tid);
        defines.put("FILTER_UID", filterUid);
        defines.put("SELF_PID", includeSelf ? -1 : ProcessHandle.current().pid());
        defines.put("STACKS", stacks ? 1 : 0);
        defines.put("STRSIZE", stringSize);

        boolean anyFormat = specs.stream().anyMatch(sp -> sp.format() != null);
        Columns columns = Columns.of("%-7d %-7d %-15s %-16s %s", "PID", "TID", "COMM", "FUNC", anyFormat ? "-" : "");
        if (printCpu) columns = columns.prepend("%-3d ", "CPU");
        if (unixTimestamp && !timestamp) throw usage("-u prints the -t column as UNIX time: give -t too");
        if (timestamp || time) columns = columns.prepend(unixTimestamp ? "%-17s " : "%-8s ", "TIME");
        Columns out = columns;
        int[] printed = {0};
        long[] first = {0};
        try (BPF b = s.load(Trace.class, "trace.bpf.c", c.toString(), defines, Probe.usdtContexts(sites, Probe.functions("probe_", sites.size()), filterPid))) {
            StackTrace stackTable = stacks ? b.get("stacks") : null;
            for (int i = 0; i < specs.size(); i++) {
                Spec spec = specs.get(i);
                spec.site().attach(b, "probe_" + i, filterPid, true);
                PerfEventArray events = b.get("events_" + i);
                events.openPerfBuffer((cpu, data, size) -> {
                    if (maxEvents != null && printed[0] >= maxEvents) return;
                    Value e = events.event(data);
                    String comm = e.getString("comm");
                    if (name != null && !comm.contains(name)) return;
                    int tgid = (int) e.getLong("tgid");
                    String msg = spec.format() == null ? "" : message(spec, e, tgid);
                    if (msgFilter != null && !msg.contains(msgFilter)) return;
                    List<Object> row = new ArrayList<>();
                    if (time) row.add(Session.clock());
                    else if (timestamp && unixTimestamp) {
                        // bpf_ktime_get_ns and System.nanoTime are both CLOCK_MONOTONIC
                        long ns = System.currentTimeMillis() * 1_000_000 - (System.nanoTime() - e.getLong("timestamp_ns"));
                        row.add(String.format(Locale.ROOT, "%.6f", ns / 1e9));
                    } else if (timestamp) {
                        if (first[0] == 0) first[0] = e.getLong("timestamp_ns");
                        String t = String.format(Locale.ROOT, "%.6f", (e.getLong("timestamp_ns") - first[0]) / 1e9);
                        row.add(t.substring(0, Math.min(8, t.length())));
                    }
                    if (printCpu) row.add(e.getLong("cpu"));
                    row.addAll(List.of(tgid, e.getLong("pid"), comm, spec.display(), msg));
                    List<String> kernel = kernelStack ? Stacks.kernel(stackTable, e.getLong("kernel_stack_id"), false, address) : List.of();
                    List<String> user = userStack ? Stacks.user(stackTable, e.getLong("user_stack_id"), tgid, false, address) : List.of();
                    if (s.json()) {
                        Map<String, Object> o = new LinkedHashMap<>();
                        for (int k = 0; k < out.keys().size(); k++) o.put(k == out.keys().size() - 1 ? "msg" : out.keys().get(k), row.get(k));
                        if (kernelStack) o.put("kernel_stack", kernel);
                        if (userStack) o.put("user_stack", user);
                        s.object(o);
                    } else {
                        s.row(out, row.toArray());
                        for (String f : kernel) s.out().println("        " + f);
                        for (String f : user) s.out().println("        " + f);
                        if (stacks) s.out().println();
                    }
                    printed[0]++;
                }, bufferPages, null);
            }
            s.header(out);
            while (s.running() && (maxEvents == null || printed[0] < maxEvents)) {
                b.perfBufferPoll(100);
                s.out().flush();
            }
            b.perfBufferPoll(0); // what came before the stop
            s.out().flush();
        }
    }

    private Spec parse(String text, int filterPid) {
        int[] end = {0};
        ProbeText.Where where = ProbeText.where(text.trim(), true, end);
        String rest = text.trim().substring(end[0]).trim();
        String predicate = null, format = null;
        List<String> args = List.of();
        if (rest.startsWith("(")) {
            int close = ProbeText.closing(rest, 0);
            predicate = rest.substring(1, close).trim();
            rest = rest.substring(close + 1).trim();
        }
        if (rest.startsWith("\"")) {
            int close = 1;
            while (close < rest.length() && rest.charAt(close) != '"') close += rest.charAt(close) == '\\' ? 2 : 1;
            if (close >= rest.length()) throw new IllegalArgumentException("the format string of '" + text + "' has no closing quote");
            format = rest.substring(1, close).replace("\\n", "\n").replace("\\t", "\t").replace("\\\"", "\"").replace("\\\\", "\\");
            rest = rest.substring(close + 1).trim();
            if (!rest.isEmpty()) {
                if (!rest.startsWith(",")) throw new IllegalArgumentException("expected ', ARG' after the format string in '" + text + "', not " + rest);
                args = ProbeText.splitTopLevel(rest.substring(1));
            }
        } else if (!rest.isEmpty()) {
            throw new IllegalArgumentException("'" + rest + "' in '" + text + "': expected (PREDICATE) or \"FORMAT\"");
        }
        List<Character> conversions = new ArrayList<>();
        if (format != null) {
            Matcher m = CONVERSION.matcher(format);
            while (m.find()) if (!m.group(5).equals("%")) conversions.add(m.group(5).charAt(0));
        }
        if (conversions.size() != args.size()) {
            throw new IllegalArgumentException("the format of '" + text + "' has " + conversions.size() + " conversions for " + args.size() + " arguments");
        }
        List<Probe.Site> sites = where.probe().sites(false, filterPid);
        if (sites.size() != 1) throw new IllegalArgumentException("'" + where.probe().pattern() + "' names " + sites.size() + " places; trace takes one per probe");
        List<String> values = new ArrayList<>();
        List<Boolean> user = new ArrayList<>();
        for (String a : args) {
            boolean atUser = a.endsWith("@user");
            if (atUser) a = a.substring(0, a.length() - 5).trim();
            values.add(where.rewrite(a));
            user.add(atUser || where.probe().kind().isUser());
        }
        return new Spec(text, where, sites.getFirst(), predicate == null ? null : where.rewrite(predicate), format, conversions, values, user);
    }

    private String eventStruct(int i, Spec spec) {
        StringBuilder c = new StringBuilder("struct probe_" + i + "_t {\n    TRACE_HEADER;\n");
        for (int k = 0; k < spec.conversions().size(); k++) {
            char conv = spec.conversions().get(k);
            c.append(conv == 's' ? "    char v" + k + "[STRSIZE];\n" : conv == 'd' || conv == 'i' ? "    s64 v" + k + ";\n" : "    u64 v" + k + ";\n");
        }
        c.append("};\nBPF_PERF_OUTPUT(events_").append(i).append(");\nBPF_PERCPU_ARRAY(scratch_").append(i)
                .append(", struct probe_").append(i).append("_t, 1);\n");
        return c.toString();
    }

    /** The probe's C, a block that leaves early with break. */
    private String body(int i, Spec spec, boolean stacks) {
        StringBuilder c = new StringBuilder("    do {\n        if (!wanted())\n            break;\n");
        if (!spec.where().probe().kind().isReturn()) c.append(spec.where().declarations());
        if (spec.predicate() != null) c.append("        if (!(").append(spec.predicate()).append("))\n            break;\n");
        c.append("        int zero = 0;\n        struct probe_").append(i).append("_t *ev = scratch_").append(i).append(".lookup(&zero);\n")
                .append("        if (!ev)\n            break;\n")
                .append("        u64 id = bpf_get_current_pid_tgid();\n")
                .append("        ev->timestamp_ns = bpf_ktime_get_ns();\n        ev->tgid = id >> 32;\n        ev->pid = (u32)id;\n")
                .append("        ev->cpu = bpf_get_smp_processor_id();\n        bpf_get_current_comm(ev->comm, sizeof(ev->comm));\n");
        if (stacks) {
            c.append("        ev->kernel_stack_id = stacks.get_stackid(ctx, 0);\n        ev->user_stack_id = stacks.get_stackid(ctx, BPF_F_USER_STACK);\n");
        } else {
            c.append("        ev->kernel_stack_id = -1;\n        ev->user_stack_id = -1;\n");
        }
        for (int k = 0; k < spec.values().size(); k++) {
            String v = spec.values().get(k);
            char conv = spec.conversions().get(k);
            if (conv == 's') {
                c.append("        read_str(ev->v").append(k).append(", sizeof(ev->v").append(k).append("), (const void *)(").append(v)
                        .append("), ").append(spec.userStrings().get(k) ? "true" : "false").append(");\n");
            } else {
                c.append("        ev->v").append(k).append(" = (").append(conv == 'd' || conv == 'i' ? "s64" : "u64").append(")(").append(v).append(");\n");
            }
        }
        c.append("        events_").append(i).append(".perf_submit(ctx, ev, sizeof(*ev));\n    } while (0);\n");
        return c.toString();
    }

    /** The format with the event's values, printf's way. */
    private static String message(Spec spec, Value e, int tgid) {
        Matcher m = CONVERSION.matcher(spec.format());
        StringBuilder out = new StringBuilder();
        int k = 0;
        while (m.find()) {
            String flags = m.group(1), width = m.group(2), precision = m.group(3) == null ? "" : m.group(3);
            char conv = m.group(5).charAt(0);
            String text;
            if (conv == '%') {
                text = "%";
            } else {
                String field = "v" + k++;
                text = switch (conv) {
                    case 's' -> String.format(Locale.ROOT, "%" + flags.replace("0", "") + width + precision + "s", e.getString(field));
                    case 'd', 'i' -> String.format(Locale.ROOT, "%" + flags + width + "d", e.getLong(field));
                    case 'u' -> String.format(Locale.ROOT, "%" + flags.replace("0", "") + width + "s", Long.toUnsignedString(e.getLong(field)));
                    case 'x', 'X' -> String.format(Locale.ROOT, "%" + flags + width + conv, e.getLong(field));
                    case 'c' -> String.valueOf((char) (e.getLong(field) & 0xff));
                    case 'p' -> "0x" + Long.toHexString(e.getLong(field));
                    case 'K' -> BPF.ksym(e.getLong(field));
                    case 'U' -> BPF.sym(e.getLong(field), tgid);
                    default -> throw new IllegalStateException("conversion " + conv);
                };
            }
            m.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        m.appendTail(out);
        return out.toString();
    }
}
