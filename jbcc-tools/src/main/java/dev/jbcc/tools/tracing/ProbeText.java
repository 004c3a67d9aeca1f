package dev.jbcc.tools.tracing;

import dev.jbcc.tools.Probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What trace and argdist share of bcc's probe mini-language: a probe with an optional C signature
 * naming its arguments ({@code p::do_sys_open(int dfd, const char *filename)}), and C expressions
 * over it with bcc's aliases ({@code arg1}…{@code arg6}, {@code retval}, {@code $pid},
 * {@code $tgid}, {@code $uid}, {@code $gid}, {@code $cpu}, {@code $task}; {@code args->field} at
 * a tracepoint) rewritten into C.
 */
final class ProbeText {
    private static final Map<String, String> COMMON = Map.of(
            "retval", "PT_REGS_RC(ctx)",
            "$uid", "((u32)bpf_get_current_uid_gid())",
            "$gid", "((u32)(bpf_get_current_uid_gid() >> 32))",
            "$pid", "((u32)bpf_get_current_pid_tgid())",
            "$tgid", "((u32)(bpf_get_current_pid_tgid() >> 32))",
            "$cpu", "bpf_get_smp_processor_id()",
            "$task", "((struct task_struct *)bpf_get_current_task())");
    private static final Pattern ALIAS = Pattern.compile("(?<![\\w$])(arg[1-6]|retval|\\$uid|\\$gid|\\$pid|\\$tgid|\\$cpu|\\$task)(?!\\w)");

    private ProbeText() {
    }

    /** A parameter of a signature: its C type and name. */
    record Param(String type, String name) {
    }

    /**
     * A probe as written: where, and the parameters its signature names (empty without one).
     */
    record Where(Probe probe, List<Param> params) {
        /** The C declarations of the signature's parameters, from the registers (entry probes only). */
        String declarations() {
            StringBuilder c = new StringBuilder();
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                c.append("        ").append(p.type()).append(' ').append(p.name()).append(" = (").append(p.type())
                        .append(")PT_REGS_PARM").append(i + 1).append("(ctx);\n");
            }
            return c.toString();
        }

        /**
         * {@code expr} in C: bcc's aliases replaced (outside string literals).
         *
         * @throws IllegalArgumentException for an alias the probe does not have
         */
        String rewrite(String expr) {
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < expr.length()) {
                int quote = expr.indexOf('"', i);
                String code = quote < 0 ? expr.substring(i) : expr.substring(i, quote);
                out.append(rewriteCode(code));
                if (quote < 0) break;
                int end = quote + 1;
                while (end < expr.length() && expr.charAt(end) != '"') end += expr.charAt(end) == '\\' ? 2 : 1;
                out.append(expr, quote, Math.min(end + 1, expr.length()));
                i = end + 1;
            }
            return out.toString();
        }

        private String rewriteCode(String code) {
            Matcher m = ALIAS.matcher(code);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String alias = m.group(1);
                String c;
                if (alias.startsWith("arg")) {
                    if (probe.kind() == Probe.Kind.TRACEPOINT) throw new IllegalArgumentException(alias + " is not there at a tracepoint: use args->FIELD (jbcc tplist -v CATEGORY:EVENT lists them)");
                    if (probe.kind().isReturn()) throw new IllegalArgumentException(alias + " is not there at a return (r:) probe: only retval is");
                    c = probe.kind() == Probe.Kind.USDT
                            ? "({ u64 __arg = 0; bpf_usdt_readarg(" + alias.substring(3) + ", ctx, &__arg); __arg; })"
                            : "PT_REGS_PARM" + alias.substring(3) + "(ctx)";
                } else if (alias.equals("retval")) {
                    if (!probe.kind().isReturn()) throw new IllegalArgumentException("retval is there only at a return (r:) probe");
                    c = COMMON.get(alias);
                } else {
                    c = COMMON.get(alias);
                }
                m.appendReplacement(out, Matcher.quoteReplacement(c));
            }
            m.appendTail(out);
            return out.toString();
        }
    }

    /**
     * The C functions of trace's and argdist's probes: {@code probe_i} runs {@code bodies[i]} (a
     * block that leaves early with {@code break}) at {@code sites[i]}; the bodies of probes at
     * one tracepoint share its {@code TRACEPOINT_PROBE}, which a program has once.
     */
    static String functions(List<Probe.Site> sites, List<String> bodies) {
        StringBuilder c = new StringBuilder();
        Map<String, StringBuilder> atTracepoint = new LinkedHashMap<>();
        Map<String, Probe.Site> tracepoints = new LinkedHashMap<>();
        for (int i = 0; i < sites.size(); i++) {
            Probe.Site site = sites.get(i);
            if (site.kind() == Probe.Kind.TRACEPOINT) {
                atTracepoint.computeIfAbsent(site.name(), _ -> new StringBuilder()).append(bodies.get(i));
                tracepoints.put(site.name(), site);
            } else {
                c.append(site.define("probe_" + i, bodies.get(i) + "    return 0;", false));
            }
        }
        atTracepoint.forEach((tp, body) -> c.append(tracepoints.get(tp).define(null, body + "    return 0;", true)));
        return c.toString();
    }

    /** Reads a probe and its signature from the start of {@code text}; the index after them in {@code end[0]}. */
    static Where where(String text, boolean allowReturn, int[] end) {
        int i = 0, n = text.length();
        while (i < n && !Character.isWhitespace(text.charAt(i)) && text.charAt(i) != '(' && text.charAt(i) != '"') i++;
        Probe probe = Probe.parse(text.substring(0, i), allowReturn);
        List<Param> params = new ArrayList<>();
        if (i < n && text.charAt(i) == '(') {
            int close = closing(text, i);
            String sig = text.substring(i + 1, close).trim();
            i = close + 1;
            if (!sig.isEmpty() && !sig.equals("void")) {
                if (probe.kind() == Probe.Kind.TRACEPOINT) throw new IllegalArgumentException("a tracepoint has no signature; its fields are args->FIELD");
                for (String p : splitTopLevel(sig)) {
                    Matcher m = Pattern.compile("^(.*?)([A-Za-z_]\\w*)$").matcher(p.trim());
                    if (!m.matches() || m.group(1).isBlank()) throw new IllegalArgumentException("'" + p.trim() + "' is not a parameter (TYPE NAME) of the signature (" + sig + ")");
                    params.add(new Param(m.group(1).trim(), m.group(2)));
                }
                if (params.size() > 6) throw new IllegalArgumentException("a signature names at most 6 parameters (the registers that pass them)");
            }
        }
        end[0] = i;
        return new Where(probe, params);
    }

    /** The index of the parenthesis that closes the one at {@code open}. */
    static int closing(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                i++;
                while (i < text.length() && text.charAt(i) != '"') i += text.charAt(i) == '\\' ? 2 : 1;
            } else if (c == '(') depth++;
            else if (c == ')' && --depth == 0) return i;
        }
        throw new IllegalArgumentException("unbalanced parentheses in: " + text);
    }

    /** {@code text} split at the commas outside parentheses, brackets and string literals. */
    static List<String> splitTopLevel(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                i++;
                while (i < text.length() && text.charAt(i) != '"') i += text.charAt(i) == '\\' ? 2 : 1;
            } else if (c == '(' || c == '[') depth++;
            else if (c == ')' || c == ']') depth--;
            else if (c == ',' && depth == 0) {
                out.add(text.substring(start, i).trim());
                start = i + 1;
            }
        }
        out.add(text.substring(start).trim());
        return out;
    }
}
