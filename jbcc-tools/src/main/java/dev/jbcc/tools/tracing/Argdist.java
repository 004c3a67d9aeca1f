package dev.jbcc.tools.tracing;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Probe;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code jbcc argdist}: the distribution of function arguments, return values or tracepoint fields. */
@Command(name = "argdist", mixinStandardHelpOptions = true,
        description = {"Summarize the values of function arguments, return values or tracepoint fields as counts or histograms."},
        footer = {"", "A specifier: {p,r,t}:{[LIB],CATEGORY}:FUNCTION[(SIGNATURE)][:TYPE[,TYPE...]:EXPR[,EXPR...][:FILTER]][#LABEL]",
                "EXPRs and the FILTER are C over the signature's parameters, $retval (r:), args->FIELD (t:), arg1..arg6,",
                "$pid, $tgid, $uid, $gid, $cpu, $task. Without TYPE:EXPR, p: and t: count hits and r: takes $retval.",
                "A char* TYPE reads a string. At r: probes, $latency is the time since the entry (ns) and $entry(PARAM)",
                "a parameter of the signature as it was at the entry. Not supported (yet): -I.",
                "", "examples:",
                "    jbcc argdist -H 'p::__kmalloc(u64 size):u64:size'       # histogram of kmalloc sizes",
                "    jbcc argdist -p 1005 -C 'p:c:malloc(size_t size):size_t:size:size==16'   # 16-byte mallocs of 1005",
                "    jbcc argdist -C 'r:c:gets():char*:(char*)$retval#snooped strings'",
                "    jbcc argdist -p 1005 -C 'p:c:write(int fd):int:fd' -T 5   # the 5 busiest file descriptors",
                "    jbcc argdist -p 1005 -H 'r:c:read()'                     # histogram of read() results",
                "    jbcc argdist -H 'r::__kmalloc(size_t size):u64:$latency/$entry(size)#ns per byte'",
                "    jbcc argdist -C 'r::__vfs_read():u32:$PID:$latency > 100000'   # reads slower than 0.1 ms, by process",
                "    jbcc argdist -C 't:syscalls:sys_enter_openat():char*:args->filename'   # files opened",
                "    jbcc argdist -c -i 5 -n 3 -H 't:block:block_rq_complete():u32:args->nr_sector'",
                "    jbcc argdist --json -C 'p:c:write(int fd):int:fd'        # JSON per interval"})
public final class Argdist extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Id of the process to trace.")
    Integer pid;

    @Option(names = {"-t", "--tid"}, paramLabel = "TID", description = "Id of the thread to trace.")
    Integer tid;

    @Option(names = {"-z", "--string-size"}, paramLabel = "STRING_SIZE", description = "Most bytes read of char* values (default ${DEFAULT-VALUE}).")
    int stringSize = 80;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", description = "Output interval, in seconds (default ${DEFAULT-VALUE}).")
    int interval = 1;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration of trace, in seconds.")
    Integer duration;

    @Option(names = {"-n", "--number"}, paramLabel = "COUNT", description = "Number of outputs.")
    Long number;

    @Option(names = {"-c", "--cumulative"}, description = "Do not clear histograms and counts at each interval.")
    boolean cumulative;

    @Option(names = {"-T", "--top"}, paramLabel = "TOP", description = "Number of top results to show (counts only).")
    Integer top;

    @Option(names = {"-H", "--histogram"}, paramLabel = "specifier", description = "Probe specifier to capture a histogram of.")
    List<String> histograms = new ArrayList<>();

    @Option(names = {"-C", "--count"}, paramLabel = "specifier", description = "Probe specifier to capture a count of.")
    List<String> counts = new ArrayList<>();

    private static final Pattern SCALAR = Pattern.compile("(?:(?:un)?signed\\s+)?(?:char|short|int|long|long\\s+long|long\\s+int)|"
            + "unsigned|[us](?:8|16|32|64)|__[us](?:8|16|32|64)|u?int(?:8|16|32|64)_t|size_t|ssize_t|pid_t|uid_t|gid_t|off_t|loff_t|gfp_t|bool|.*\\*");

    /** One specifier: where, its values, filter and how it is shown. */
    private record Spec(String text, boolean histogram, ProbeText.Where where, Probe.Site site, List<String> types,
                        List<String> exprs, List<String> cExprs, String filter, String label, boolean entry) {
        boolean isString(int i) {
            return types.get(i).replace(" ", "").equals("char*");
        }
    }

    @Override
    protected void run(Session s) {
        if (histograms.isEmpty() && counts.isEmpty()) throw usage("give at least one -H or -C specifier");
        if (interval <= 0) throw usage("interval must be positive, not " + interval);
        if (stringSize < 1 || stringSize > 1024) throw usage("--string-size must be 1..1024, not " + stringSize);
        int filterPid = pid == null ? -1 : pid;
        List<Spec> specs = new ArrayList<>();
        try {
            for (String h : histograms) specs.add(parse(h, true, filterPid));
            for (String c : counts) specs.add(parse(c, false, filterPid));
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        StringBuilder c = new StringBuilder();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            c.append(table(i, specs.get(i)));
            if (specs.get(i).entry()) c.append(entryProbe(i, specs.get(i)));
            bodies.add(body(i, specs.get(i)));
        }
        List<Probe.Site> sites = specs.stream().map(Spec::site).toList();
        c.append(ProbeText.functions(sites, bodies));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", filterPid);
        defines.put("FILTER_TID", tid == null ? -1 : tid);
        defines.put("STRSIZE", stringSize);
        long outputs = number != null ? number : duration != null ? Math.max(1, (duration + interval - 1) / interval) : 0;
        try (BPF b = s.load(Argdist.class, "argdist.bpf.c", c.toString(), defines, Probe.usdtContexts(sites, Probe.functions("probe_", sites.size()), filterPid))) {
            for (int i = 0; i < specs.size(); i++) {
                specs.get(i).site().attach(b, "probe_" + i, filterPid, true);
                if (specs.get(i).entry()) entrySite(specs.get(i)).attach(b, "entry_" + i, filterPid, false);
            }
            s.ready();
            s.everyInterval(Duration.ofSeconds(interval), outputs, () -> {
                String clock = Session.clock();
                if (!s.json()) s.out().println("[" + clock + "]");
                for (int i = 0; i < specs.size(); i++) print(s, b.get("values_" + i), specs.get(i), clock);
            });
        }
    }

    private void print(Session s, KeyedTable<?> table, Spec spec, String clock) {
        if (spec.histogram()) {
            if (!s.json()) s.out().println(spec.label());
            s.log2Hist(table, Histogram.Options.defaults().withValType(spec.exprs().getFirst()));
        } else {
            List<Map.Entry<Value, Long>> rows = new ArrayList<>();
            for (var e : table.items()) rows.add(Map.entry(e.getKey(), ((Value) e.getValue()).value()));
            rows.sort(Comparator.comparingLong(Map.Entry::getValue));
            if (top != null && rows.size() > top) rows = rows.subList(rows.size() - top, rows.size());
            if (s.json()) {
                List<Object> events = new ArrayList<>();
                for (var r : rows) {
                    Map<String, Object> values = new LinkedHashMap<>();
                    for (int k = 0; k < spec.exprs().size(); k++) values.put(spec.exprs().get(k), value(spec, r.getKey(), k));
                    events.add(Map.of("count", r.getValue(), "values", values));
                }
                s.object(Map.of("time", clock, "probe", spec.label(), "counts", events));
            } else {
                s.out().println(spec.label());
                s.out().printf("\t%-10s %s%n", "COUNT", "EVENT");
                for (var r : rows) {
                    List<String> parts = new ArrayList<>();
                    for (int k = 0; k < spec.exprs().size(); k++) parts.add(spec.exprs().get(k) + " = " + value(spec, r.getKey(), k));
                    s.out().printf("\t%-10d %s%n", r.getValue(), String.join(", ", parts));
                }
            }
        }
        if (!cumulative) table.clear();
    }

    private static Object value(Spec spec, Value key, int k) {
        return spec.isString(k) ? key.getString("v" + k) : key.getLong("v" + k);
    }

    private Spec parse(String text, boolean histogram, int filterPid) {
        String label = null, body = text;
        int hash = text.lastIndexOf('#');
        if (hash >= 0) {
            label = text.substring(hash + 1);
            body = text.substring(0, hash);
        }
        int[] end = {0};
        ProbeText.Where where = ProbeText.where(body, true, end);
        String rest = body.substring(end[0]);
        List<String> types, exprs;
        String filter = null;
        if (rest.isEmpty()) {
            types = List.of("u64");
            exprs = List.of(where.probe().kind().isReturn() ? "$retval" : "1");
        } else {
            if (!rest.startsWith(":")) throw new IllegalArgumentException("'" + text + "': expected :TYPE:EXPR after the function, not " + rest);
            List<String> fields = splitColons(rest.substring(1));
            if (fields.size() < 2 || fields.size() > 3) throw new IllegalArgumentException("'" + text + "': expected TYPE[,TYPE...]:EXPR[,EXPR...][:FILTER] after the function");
            types = ProbeText.splitTopLevel(fields.get(0));
            exprs = ProbeText.splitTopLevel(fields.get(1));
            if (fields.size() == 3) filter = fields.get(2);
        }
        if (types.size() != exprs.size()) throw new IllegalArgumentException("'" + text + "' has " + types.size() + " types for " + exprs.size() + " expressions");
        for (String t : types) if (!SCALAR.matcher(t.trim()).matches()) throw new IllegalArgumentException("'" + t + "' in '" + text + "' is not a scalar or pointer type");
        if (histogram && exprs.size() != 1) throw new IllegalArgumentException("a histogram (-H) takes one expression: '" + text + "'");
        if (histogram && types.getFirst().replace(" ", "").equals("char*")) throw new IllegalArgumentException("a histogram (-H) of strings: use -C for '" + text + "'");
        List<String> c = new ArrayList<>();
        boolean entry = (body.contains("$latency") || body.contains("$entry("));
        if (entry && !where.probe().kind().isReturn()) throw new IllegalArgumentException("$latency and $entry() are there only at a return (r:) probe: '" + text + "'");
        for (String e : exprs) c.add(rewrite(where, e));
        List<Probe.Site> sites = where.probe().sites(false, filterPid);
        if (sites.size() != 1) throw new IllegalArgumentException("'" + where.probe().pattern() + "' names " + sites.size() + " places; argdist takes one per specifier");
        return new Spec(text, histogram, where, sites.getFirst(), types.stream().map(String::trim).toList(), exprs, c,
                filter == null ? null : rewrite(where, filter), label != null ? label : body, entry);
    }

    private static final Pattern ENTRY = Pattern.compile("\\$entry\\(\\s*([A-Za-z_]\\w*)\\s*\\)");

    /**
     * An expression in C: argdist's $retval (trace's retval), $latency (ns since the entry) and
     * $entry(PARAM) (a parameter of the signature as it was at the entry) besides trace's aliases.
     */
    private static String rewrite(ProbeText.Where where, String expr) {
        Matcher m = ENTRY.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            if (where.params().stream().noneMatch(p -> p.name().equals(name))) {
                throw new IllegalArgumentException("$entry(" + name + "): " + name + " is not a parameter of the signature");
            }
            m.appendReplacement(out, "__entry." + name);
        }
        m.appendTail(out);
        return where.rewrite(out.toString().replace("$retval", "retval").replace("$PID", "$tgid").replace("$latency", "__latency"));
    }

    /** For $latency and $entry(): the entry's time and parameters, kept per thread until the return. */
    private static String entryProbe(int i, Spec spec) {
        StringBuilder c = new StringBuilder("struct entry_" + i + "_t {\n    u64 ts;\n");
        for (ProbeText.Param p : spec.where().params()) c.append("    ").append(p.type()).append(' ').append(p.name()).append(";\n");
        c.append("};\nBPF_HASH(entries_").append(i).append(", u32, struct entry_").append(i).append("_t, 10240);\n");
        StringBuilder body = new StringBuilder("    if (!wanted())\n        return 0;\n    struct entry_").append(i).append("_t e = {};\n")
                .append("    e.ts = bpf_ktime_get_ns();\n");
        List<ProbeText.Param> params = spec.where().params();
        for (int k = 0; k < params.size(); k++) {
            body.append("    e.").append(params.get(k).name()).append(" = (").append(params.get(k).type()).append(")PT_REGS_PARM").append(k + 1).append("(ctx);\n");
        }
        body.append("    u32 tid = (u32)bpf_get_current_pid_tgid();\n    entries_").append(i).append(".update(&tid, &e);\n    return 0;");
        return c + entrySite(spec).define("entry_" + i, body.toString(), false);
    }

    private static Probe.Site entrySite(Spec spec) {
        Probe.Site r = spec.site();
        return new Probe.Site(r.kind() == Probe.Kind.KRETPROBE ? Probe.Kind.KPROBE : Probe.Kind.UPROBE, r.library(), r.name());
    }

    /** {@code text} split at the colons outside parentheses and string literals. */
    private static List<String> splitColons(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '(') depth++;
            else if (ch == ')') depth--;
            else if (ch == ':' && depth == 0) {
                out.add(text.substring(start, i));
                start = i + 1;
            }
        }
        out.add(text.substring(start));
        return out;
    }

    private String table(int i, Spec spec) {
        if (spec.histogram()) return "BPF_HISTOGRAM(values_" + i + ");\n";
        StringBuilder c = new StringBuilder("struct key_" + i + "_t {\n");
        for (int k = 0; k < spec.types().size(); k++) {
            c.append(spec.isString(k) ? "    char v" + k + "[STRSIZE];\n" : "    " + spec.types().get(k) + " v" + k + ";\n");
        }
        return c.append("};\nBPF_HASH(values_").append(i).append(", struct key_").append(i).append("_t, u64, 10240);\n").toString();
    }

    private String body(int i, Spec spec) {
        StringBuilder c = new StringBuilder("    do {\n        if (!wanted())\n            break;\n");
        if (!spec.where().probe().kind().isReturn()) c.append(spec.where().declarations());
        if (spec.entry()) {
            c.append("        u32 __tid = (u32)bpf_get_current_pid_tgid();\n        struct entry_").append(i).append("_t *__e = entries_").append(i)
                    .append(".lookup(&__tid);\n        if (!__e)\n            break;\n        struct entry_").append(i).append("_t __entry = {};\n")
                    .append("        __builtin_memcpy(&__entry, __e, sizeof(__entry));\n        entries_").append(i).append(".delete(&__tid);\n")
                    .append("        u64 __latency = bpf_ktime_get_ns() - __entry.ts;\n");
        }
        if (spec.filter() != null) c.append("        if (!(").append(spec.filter()).append("))\n            break;\n");
        if (spec.histogram()) {
            c.append("        values_").append(i).append(".increment(bpf_log2l((u64)(").append(spec.cExprs().getFirst()).append(")));\n");
        } else {
            c.append("        struct key_").append(i).append("_t key;\n        __builtin_memset(&key, 0, sizeof(key));\n");
            for (int k = 0; k < spec.cExprs().size(); k++) {
                String e = spec.cExprs().get(k);
                if (spec.isString(k)) {
                    String read = spec.where().probe().kind().isUser() ? "bpf_probe_read_user_str" : "bpf_probe_read_kernel_str";
                    String other = spec.where().probe().kind().isUser() ? "bpf_probe_read_kernel_str" : "bpf_probe_read_user_str";
                    c.append("        if (").append(read).append("(key.v").append(k).append(", sizeof(key.v").append(k).append("), (const void *)(").append(e)
                            .append(")) < 0)\n            ").append(other).append("(key.v").append(k).append(", sizeof(key.v").append(k)
                            .append("), (const void *)(").append(e).append("));\n");
                } else {
                    c.append("        key.v").append(k).append(" = (").append(spec.types().get(k)).append(")(").append(e).append(");\n");
                }
            }
            c.append("        values_").append(i).append(".increment(key);\n");
        }
        c.append("    } while (0);\n");
        return c.toString();
    }
}
