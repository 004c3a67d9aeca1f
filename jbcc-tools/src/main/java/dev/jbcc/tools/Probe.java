package dev.jbcc.tools;

import dev.jbcc.bcc.BPF;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.features.Feature;
import dev.jbcc.features.Features;
import dev.jbcc.symbols.Libraries;
import dev.jbcc.usdt.Usdt;
import dev.jbcc.usdt.UsdtProbe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A probe spec of bcc's multitools (funccount, funclatency, stackcount, trace, argdist, …): where
 * to trace, as {@code func}, {@code p:func} or {@code p::func} (a kernel function), {@code r:func}
 * or {@code r::func} (its return),
 * {@code lib:func}, {@code p:lib:func}, {@code r:lib:func} (a function of a binary or library:
 * {@code c:malloc}, {@code /bin/bash:readline}), {@code t:category:event} (a tracepoint),
 * {@code u:lib:probe} or {@code u:lib:provider:probe} (a USDT probe), with
 * {@code *} wildcards (or a regular expression, bcc's {@code -r}). {@link #sites} expands it to
 * the places it names; each {@link Site} writes its C function and attaches it.
 *
 * @param kind    what is traced
 * @param library the binary or library of a user probe, "" for the kernel
 * @param pattern the function or {@code category:event} pattern, as written
 */
public record Probe(Kind kind, String library, String pattern) {
    /** What a probe traces. */
    public enum Kind {
        KPROBE("p"), KRETPROBE("r"), UPROBE("p"), URETPROBE("r"), TRACEPOINT("t"), USDT("u");

        private final String letter;

        Kind(String letter) {
            this.letter = letter;
        }

        /** Whether this is the return of a function. */
        public boolean isReturn() {
            return this == KRETPROBE || this == URETPROBE;
        }

        /** Whether this is in a user binary. */
        public boolean isUser() {
            return this == UPROBE || this == URETPROBE || this == USDT;
        }
    }

    /**
     * One place a probe attaches to: a kernel function, a tracepoint {@code category:event}, a
     * function of {@code library} (its resolved path) or a USDT probe {@code provider:name} of it.
     */
    public record Site(Kind kind, String library, String name) {
        /** The return of this function (itself for a tracepoint). */
        public Site returning() {
            return switch (kind) {
                case KPROBE -> new Site(Kind.KRETPROBE, library, name);
                case UPROBE -> new Site(Kind.URETPROBE, library, name);
                default -> this;
            };
        }

        /** How bcc's tools show it: the function, {@code category:event} or {@code provider:probe}. */
        public String display() {
            return name;
        }

        /**
         * The C definition of a function {@code fn} that runs {@code body} here; the body sees
         * {@code ctx} ({@code struct pt_regs *} for kernel and user functions) and, at a
         * tracepoint, {@code args} (the tracepoint's fields) when {@code tracepointArgs} is set
         * (then the function is bcc's {@code TRACEPOINT_PROBE}, attached at load; one per
         * tracepoint in a program).
         */
        public String define(String fn, String body, boolean tracepointArgs) {
            if (kind == Kind.TRACEPOINT && tracepointArgs) {
                String[] ce = name.split(":", 2);
                return "TRACEPOINT_PROBE(" + ce[0] + ", " + ce[1] + ")\n{\n    void *ctx = args;\n" + body + "\n}\n";
            }
            String ctx = kind == Kind.TRACEPOINT ? "void *ctx" : "struct pt_regs *ctx";
            return "int " + fn + "(" + ctx + ")\n{\n" + body + "\n}\n";
        }

        /**
         * Attaches function {@code fn} here (a no-op for a {@code TRACEPOINT_PROBE}, attached at
         * load).
         *
         * @param pid for user functions, the only process that triggers it; -1 for all
         */
        public void attach(BPF b, String fn, int pid, boolean tracepointArgs) {
            switch (kind) {
                case KPROBE -> b.attachKprobe(name, fn);
                case KRETPROBE -> b.attachKretprobe(name, fn);
                case UPROBE -> b.attachUprobe(library, name, fn, pid);
                case URETPROBE -> b.attachUretprobe(library, name, fn, pid);
                case TRACEPOINT -> {
                    if (!tracepointArgs) b.attachTracepoint(name, fn);
                }
                case USDT -> {
                    // attached at load, by the USDT context of usdtContexts
                }
            }
        }
    }

    /** {@code prefix0} … {@code prefix(n-1)}: the names of the functions a tool generates, one per site. */
    public static List<String> functions(String prefix, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(prefix + i);
        return out;
    }

    /**
     * The USDT contexts that attach function {@code fns[i]} to {@code sites[i]}, for the sites that
     * are USDT probes (give them to {@link Session#load(Class, String, String, Map, List)}).
     *
     * @param pid the only process whose probes fire, or -1 for every process running the binary
     */
    public static List<dev.jbcc.bcc.USDT> usdtContexts(List<Site> sites, List<String> fns, int pid) {
        Map<String, dev.jbcc.bcc.USDT> byBinary = new LinkedHashMap<>();
        for (int i = 0; i < sites.size(); i++) {
            Site site = sites.get(i);
            if (site.kind() != Kind.USDT) continue;
            byBinary.computeIfAbsent(site.library(), lib -> pid > 0 ? dev.jbcc.bcc.USDT.of(Path.of(lib), pid) : dev.jbcc.bcc.USDT.ofPath(lib))
                    .enableProbe(site.name(), fns.get(i));
        }
        return List.copyOf(byBinary.values());
    }

    /**
     * A pattern of funccount, funclatency, stackcount and funcinterval: {@code func},
     * {@code p:func}, {@code lib:func}, {@code p:lib:func}, {@code t:cat:event}.
     *
     * @throws IllegalArgumentException naming the forms when it is none of them
     */
    public static Probe parse(String spec) {
        return parse(spec, false);
    }

    /**
     * A probe of trace and argdist: as {@link #parse(String)}, and {@code r:func} or
     * {@code r:lib:func} for a return, where {@code allowReturn}.
     */
    public static Probe parse(String spec, boolean allowReturn) {
        String[] parts = spec.split(":", -1);
        String type, library, pattern;
        if (parts.length == 4 && parts[0].equals("u")) {
            parts = new String[]{"u", parts[1], parts[2] + ":" + parts[3]};
        }
        switch (parts.length) {
            case 1 -> { type = "p"; library = ""; pattern = parts[0]; }
            case 2 -> {
                boolean letter = parts[0].equals("p") || (allowReturn && parts[0].equals("r"));
                type = letter ? parts[0] : "p";
                library = letter ? "" : parts[0];
                pattern = parts[1];
            }
            case 3 -> {
                type = parts[0];
                if (type.equals("t")) {
                    library = "";
                    pattern = parts[1] + ":" + parts[2];
                } else {
                    library = parts[1]; // empty: the kernel (trace's p::func)
                    pattern = parts[2];
                }
            }
            default -> throw bad(spec, allowReturn);
        }
        if (pattern.isEmpty() || (type.equals("t") && (parts[1].isEmpty() || parts[2].isEmpty()))) throw bad(spec, allowReturn);
        if (type.equals("u") && library.isEmpty()) throw bad(spec, allowReturn);
        Kind kind = switch (type) {
            case "p" -> library.isEmpty() ? Kind.KPROBE : Kind.UPROBE;
            case "r" -> {
                if (!allowReturn) throw bad(spec, false);
                yield library.isEmpty() ? Kind.KRETPROBE : Kind.URETPROBE;
            }
            case "t" -> Kind.TRACEPOINT;
            case "u" -> Kind.USDT;
            default -> throw bad(spec, allowReturn);
        };
        return new Probe(kind, library, pattern);
    }

    private static IllegalArgumentException bad(String spec, boolean allowReturn) {
        return new IllegalArgumentException("'" + spec + "' is not a probe: write func or p:func (kernel function), "
                + (allowReturn ? "r:func (its return), " : "") + "lib:func or p:lib:func (a function of a binary or library"
                + (allowReturn ? ", r:lib:func its return" : "") + "), t:category:event (tracepoint), u:lib:probe (USDT probe)");
    }

    /**
     * The places the pattern names on this machine, sorted: {@code *} is a wildcard (the whole
     * name must match) or, with {@code regexp}, the pattern is a regular expression matched
     * from the start of the name (bcc's {@code -r}).
     *
     * @param pid the process whose libraries count for a user probe, or -1
     * @throws UnsupportedFeatureException for kernel functions on a kernel without kprobes
     * @throws NotFoundException when nothing matches
     */
    public List<Site> sites(boolean regexp, int pid) {
        String re = regexp ? pattern : "^" + wildcard(pattern) + "$";
        return switch (kind) {
            case KPROBE, KRETPROBE -> {
                if (!Features.haveKprobes()) {
                    throw new UnsupportedFeatureException("kernel function probes (" + describe() + ")", null,
                            "kprobes are not in this kernel (" + Feature.KPROBES.buildOption() + "); trace a tracepoint (t:category:event) or a user function (lib:func) instead");
                }
                List<Site> out = new ArrayList<>();
                for (String f : BPF.getKprobeFunctions(re)) out.add(new Site(kind, "", f));
                yield out;
            }
            case UPROBE, URETPROBE -> {
                String path = Libraries.resolve(library, pid).toString();
                List<Site> out = new ArrayList<>();
                for (String f : BPF.getUserFunctions(path, re, pid)) out.add(new Site(kind, path, f));
                yield out;
            }
            case TRACEPOINT -> {
                List<Site> out = new ArrayList<>();
                for (String t : BPF.getTracepoints(re)) out.add(new Site(kind, "", t));
                if (out.isEmpty()) throw new NotFoundException("no tracepoint matches '" + pattern + "' (see jbcc tplist)");
                yield out;
            }
            case USDT -> {
                Path path = Libraries.resolve(library, pid);
                Pattern p = Pattern.compile(re);
                List<Site> out = new ArrayList<>();
                for (UsdtProbe u : Usdt.probes(path)) {
                    if (p.matcher(u.qualifiedName()).find() || p.matcher(u.name()).find()) out.add(new Site(kind, path.toString(), u.qualifiedName()));
                }
                if (out.isEmpty()) throw new NotFoundException("no USDT probe of " + path + " matches '" + pattern + "' (see jbcc tplist -l " + library + ")");
                yield out;
            }
        };
    }

    /** The spec as written: {@code p:c:malloc}, {@code t:sched:sched_switch}. */
    public String describe() {
        return kind.letter + ":" + (kind == Kind.TRACEPOINT || library.isEmpty() ? "" : library + ":") + pattern;
    }

    /** {@code vfs_*} → {@code vfs_.*}: a wildcard pattern as a regular expression. */
    public static String wildcard(String pattern) {
        StringBuilder re = new StringBuilder();
        String[] pieces = pattern.split("\\*", -1);
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0) re.append(".*");
            if (!pieces[i].isEmpty()) re.append(Pattern.quote(pieces[i]));
        }
        return re.toString();
    }
}
