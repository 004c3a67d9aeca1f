package dev.jbcc.bcc.dialect;

import dev.jbcc.bcc.dialect.Lexer.Token;
import dev.jbcc.errors.CompileException;
import dev.jbcc.spec.BpfFlags;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The textual half of the rewrite, on tokens, before clang can parse the program: what is not C
 * (method calls on tables) or needs knowledge clang lacks (bcc's table defaults, tracefs
 * formats) becomes C. Table macros become libbpf BTF-defined maps, {@code t.m(…)} becomes
 * {@code __JBCC_M(t, …)} (expanded by the prelude), {@code TRACEPOINT_PROBE} a function with a
 * generated {@code args} struct, {@code bpf_trace_printk("…", …)} bcc's stack-copied format.
 * Line structure is kept (see {@link TextEdits}).
 */
final class PrePass {

    /**
     * @param text        the rewritten text
     * @param tables      declared tables by name, in declaration order
     * @param tracepoints the formats TRACEPOINT_PROBE used
     * @param includes    the program's #include lines
     */
    record Result(String text, Map<String, TableDecl> tables, List<TracepointFormat> tracepoints,
                  List<Lexer.Include> includes) {}

    /** bcc's table methods and the prelude macro each becomes. */
    static final Map<String, String> METHODS = methods();

    private static Map<String, String> methods() {
        var m = new LinkedHashMap<String, String>();
        for (String name : List.of("lookup", "lookup_or_init", "lookup_or_try_init", "update", "insert", "delete",
                "increment", "atomic_increment", "perf_submit", "perf_submit_skb", "perf_read", "perf_counter_value",
                "ringbuf_output", "ringbuf_reserve", "ringbuf_submit", "ringbuf_discard", "get_stackid", "push", "pop",
                "peek", "call", "redirect_map", "sock_map_update", "sock_hash_update", "msg_redirect_map",
                "msg_redirect_hash", "sk_redirect_map", "sk_redirect_hash", "sk_storage_get", "sk_storage_delete",
                "inode_storage_get", "inode_storage_delete", "task_storage_get", "task_storage_delete",
                "check_current_task")) {
            m.put(name, "__JBCC_" + name.toUpperCase(java.util.Locale.ROOT));
        }
        return Map.copyOf(m);
    }

    static final Set<String> TABLE_MACROS = Set.of("BPF_HASH", "BPF_ARRAY", "BPF_HISTOGRAM", "BPF_PERCPU_HASH",
            "BPF_PERCPU_ARRAY", "BPF_LPM_TRIE", "BPF_TABLE", "BPF_TABLE_PUBLIC", "BPF_TABLE_SHARED", "BPF_F_TABLE",
            "BPF_TABLE_PINNED", "BPF_PERF_OUTPUT", "BPF_RINGBUF_OUTPUT", "BPF_PERF_ARRAY", "BPF_STACK_TRACE",
            "BPF_STACK_TRACE_BUILDID", "BPF_PROG_ARRAY", "BPF_DEVMAP", "BPF_CPUMAP", "BPF_XSKMAP", "BPF_QUEUE",
            "BPF_STACK", "BPF_ARRAY_OF_MAPS", "BPF_HASH_OF_MAPS", "BPF_SK_STORAGE", "BPF_INODE_STORAGE",
            "BPF_TASK_STORAGE", "BPF_SOCKMAP", "BPF_SOCKHASH", "BPF_CGROUP_ARRAY", "BPF_CGROUP_STORAGE",
            "BPF_PERCPU_CGROUP_STORAGE");

    private static final Map<String, String> KIND_TO_MAP_TYPE = Map.ofEntries(
            Map.entry("hash", "BPF_MAP_TYPE_HASH"), Map.entry("array", "BPF_MAP_TYPE_ARRAY"),
            Map.entry("percpu_hash", "BPF_MAP_TYPE_PERCPU_HASH"), Map.entry("percpu_array", "BPF_MAP_TYPE_PERCPU_ARRAY"),
            Map.entry("lru_hash", "BPF_MAP_TYPE_LRU_HASH"), Map.entry("lru_percpu_hash", "BPF_MAP_TYPE_LRU_PERCPU_HASH"),
            Map.entry("lpm_trie", "BPF_MAP_TYPE_LPM_TRIE"), Map.entry("perf_output", "BPF_MAP_TYPE_PERF_EVENT_ARRAY"),
            Map.entry("perf_array", "BPF_MAP_TYPE_PERF_EVENT_ARRAY"), Map.entry("ringbuf", "BPF_MAP_TYPE_RINGBUF"),
            Map.entry("stacktrace", "BPF_MAP_TYPE_STACK_TRACE"), Map.entry("prog", "BPF_MAP_TYPE_PROG_ARRAY"),
            Map.entry("devmap", "BPF_MAP_TYPE_DEVMAP"), Map.entry("cpumap", "BPF_MAP_TYPE_CPUMAP"),
            Map.entry("xskmap", "BPF_MAP_TYPE_XSKMAP"), Map.entry("queue", "BPF_MAP_TYPE_QUEUE"),
            Map.entry("stack", "BPF_MAP_TYPE_STACK"), Map.entry("array_of_maps", "BPF_MAP_TYPE_ARRAY_OF_MAPS"),
            Map.entry("hash_of_maps", "BPF_MAP_TYPE_HASH_OF_MAPS"), Map.entry("sk_storage", "BPF_MAP_TYPE_SK_STORAGE"),
            Map.entry("inode_storage", "BPF_MAP_TYPE_INODE_STORAGE"),
            Map.entry("task_storage", "BPF_MAP_TYPE_TASK_STORAGE"), Map.entry("sockmap", "BPF_MAP_TYPE_SOCKMAP"),
            Map.entry("sockhash", "BPF_MAP_TYPE_SOCKHASH"), Map.entry("cgroup_array", "BPF_MAP_TYPE_CGROUP_ARRAY"),
            Map.entry("cgroup_storage", "BPF_MAP_TYPE_CGROUP_STORAGE"),
            Map.entry("percpu_cgroup_storage", "BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE"),
            Map.entry("histogram", "BPF_MAP_TYPE_HASH"));

    private static final String NO_PREALLOC = Integer.toString(BpfFlags.BPF_F_NO_PREALLOC);
    private static final String DEFAULT_SIZE = "10240";

    private final String sourceName;
    private static final System.Logger LOG = System.getLogger(PrePass.class.getName());
    private final String text;
    private final List<Token> tokens;
    private final TextEdits edits;
    private final BiFunction<String, String, TracepointFormat> formats;
    private final long pageSize;
    private final Map<String, TableDecl> tables = new LinkedHashMap<>();
    private final Map<String, TracepointFormat> tracepoints = new LinkedHashMap<>();
    private final Map<String, Integer> usdtFunctions;

    private PrePass(String sourceName, String text, BiFunction<String, String, TracepointFormat> formats, long pageSize,
                    Map<String, Integer> usdtFunctions, java.util.BitSet inactiveLines) {
        this.usdtFunctions = usdtFunctions;
        this.sourceName = sourceName;
        this.text = text;
        Lexer lexer = Lexer.lex(text);
        // Tokens in branches the preprocessor leaves out are not the program's.
        if (inactiveLines.isEmpty()) {
            this.tokens = lexer.tokens();
        } else {
            var kept = new java.util.ArrayList<Token>();
            int line = 1, at = 0;
            for (Token t : lexer.tokens()) {
                for (; at < t.start(); at++) if (text.charAt(at) == '\n') line++;
                if (!inactiveLines.get(line)) kept.add(t);
            }
            this.tokens = kept;
        }
        this.includes = lexer.includes();
        this.edits = new TextEdits(text);
        this.formats = formats;
        this.pageSize = pageSize;
    }

    private final List<Lexer.Include> includes;

    /**
     * @param formats  reads a tracepoint's format (category, event)
     * @param pageSize the page size, for BPF_RINGBUF_OUTPUT's page count
     */
    static Result run(String sourceName, String text, BiFunction<String, String, TracepointFormat> formats, long pageSize) {
        return run(sourceName, text, formats, pageSize, Map.of());
    }

    /**
     * @param usdtFunctions functions a USDT probe is enabled for, with the probe's argument count:
     *                      their {@code bpf_usdt_readarg} calls read that probe's arguments
     */
    static Result run(String sourceName, String text, BiFunction<String, String, TracepointFormat> formats, long pageSize,
                      Map<String, Integer> usdtFunctions) {
        return run(sourceName, text, formats, pageSize, usdtFunctions, new java.util.BitSet());
    }

    /** @param inactiveLines lines (1-based) the program's conditionals leave out ({@link Conditionals}) */
    static Result run(String sourceName, String text, BiFunction<String, String, TracepointFormat> formats, long pageSize,
                      Map<String, Integer> usdtFunctions, java.util.BitSet inactiveLines) {
        PrePass pass = new PrePass(sourceName, text, formats, pageSize, usdtFunctions, inactiveLines);
        pass.tableMacros();
        pass.kernelStructCopies();
        pass.probesAndCalls();
        int overlap = pass.edits.firstOverlap();
        if (overlap >= 0) {
            // A table macro whose ')' is missing swallows what follows, up to some later ')'.
            throw pass.error(Diagnostic.lineOf(text, overlap), "this line is inside the arguments of a table macro above it;"
                    + " is that macro's ')' missing?");
        }
        String out = pass.edits.apply() + pass.licenseIfMissing();
        return new Result(out, Map.copyOf(pass.tables), List.copyOf(pass.tracepoints.values()), List.copyOf(pass.includes));
    }

    // ---- table declarations ----

    private void tableMacros() {
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind() != Lexer.Kind.IDENT || !TABLE_MACROS.contains(t.text()) || !isCallAt(i)) continue;
            if (i > 0 && tokens.get(i - 1).is("define") && tokens.get(i - 1).inDirective()) continue;
            int close = matchingParen(i + 1);
            List<String> args = arguments(i + 1, close);
            int line = line(t);
            TableDecl decl = declare(t.text(), args, line);
            if (decl == null) continue; // BPF_TABLE("extern", ...): defined by another program
            if (tables.putIfAbsent(decl.name(), decl) != null) {
                throw error(line, "table '" + decl.name() + "' is declared twice");
            }
            edits.replace(t.start(), tokens.get(close).end(), decl.definition());
            i = close;
        }
    }

    private TableDecl declare(String macro, List<String> a, int line) {
        return switch (macro) {
            case "BPF_HASH" -> table(macro, "hash", arg(a, 0, null, macro, line), arg(a, 1, "u64"), arg(a, 2, "u64"),
                    arg(a, 3, DEFAULT_SIZE), "0", line, 4);
            case "BPF_PERCPU_HASH" -> table(macro, "percpu_hash", arg(a, 0, null, macro, line), arg(a, 1, "u64"),
                    arg(a, 2, "u64"), arg(a, 3, DEFAULT_SIZE), "0", line, 4);
            case "BPF_LPM_TRIE" -> table(macro, "lpm_trie", arg(a, 0, null, macro, line), arg(a, 1, "u64"),
                    arg(a, 2, "u64"), arg(a, 3, DEFAULT_SIZE), NO_PREALLOC, line, 4);
            case "BPF_ARRAY" -> table(macro, "array", arg(a, 0, null, macro, line), "int", arg(a, 1, "u64"),
                    arg(a, 2, DEFAULT_SIZE), "0", line, 3);
            case "BPF_PERCPU_ARRAY" -> table(macro, "percpu_array", arg(a, 0, null, macro, line), "int",
                    arg(a, 1, "u64"), arg(a, 2, DEFAULT_SIZE), "0", line, 3);
            case "BPF_HISTOGRAM" -> table(macro, "histogram", arg(a, 0, null, macro, line), arg(a, 1, "int"), "u64",
                    arg(a, 2, "64"), "0", line, 3);
            case "BPF_TABLE", "BPF_TABLE_PUBLIC", "BPF_TABLE_SHARED" -> generic(macro, a, line, "0", null, 5);
            case "BPF_F_TABLE" -> generic(macro, a, line, arg(a, 5, null, macro, line), null, 6);
            case "BPF_TABLE_PINNED" -> generic(macro, a, line, arg(a, 6, "0"), unquote(arg(a, 5, null, macro, line)), 7);
            case "BPF_PERF_OUTPUT" -> table(macro, "perf_output", arg(a, 0, null, macro, line), "int", "u32", "0", "0", line, 1);
            case "BPF_PERF_ARRAY" -> table(macro, "perf_array", arg(a, 0, null, macro, line), "int", "u32",
                    arg(a, 1, null, macro, line), "0", line, 2);
            case "BPF_RINGBUF_OUTPUT" -> table(macro, "ringbuf", arg(a, 0, null, macro, line), "", "",
                    "(" + arg(a, 1, null, macro, line) + ") * " + pageSize, "0", line, 2);
            case "BPF_STACK_TRACE" -> table(macro, "stacktrace", arg(a, 0, null, macro, line), "u32",
                    "struct bpf_stacktrace", arg(a, 1, null, macro, line), "0", line, 2);
            case "BPF_STACK_TRACE_BUILDID" -> table(macro, "stacktrace", arg(a, 0, null, macro, line), "u32",
                    "struct bpf_stacktrace_buildid", arg(a, 1, null, macro, line), "BPF_F_STACK_BUILD_ID", line, 2);
            case "BPF_PROG_ARRAY" -> table(macro, "prog", arg(a, 0, null, macro, line), "u32", "u32",
                    arg(a, 1, null, macro, line), "0", line, 2);
            case "BPF_DEVMAP" -> table(macro, "devmap", arg(a, 0, null, macro, line), "int", "int",
                    arg(a, 1, null, macro, line), "0", line, 2);
            case "BPF_CPUMAP" -> table(macro, "cpumap", arg(a, 0, null, macro, line), "u32", "u32",
                    arg(a, 1, null, macro, line), "0", line, 2);
            case "BPF_XSKMAP" -> table(macro, "xskmap", arg(a, 0, null, macro, line), "int", "int",
                    arg(a, 1, null, macro, line), "0", line, 2);
            case "BPF_SOCKMAP" -> table(macro, "sockmap", arg(a, 0, null, macro, line), "int", "int",
                    arg(a, 1, null, macro, line), "0", line, 2);
            case "BPF_SOCKHASH" -> table(macro, "sockhash", arg(a, 0, null, macro, line), arg(a, 1, "u32"), "int",
                    arg(a, 2, DEFAULT_SIZE), "0", line, 3);
            case "BPF_CGROUP_ARRAY" -> table(macro, "cgroup_array", arg(a, 0, null, macro, line), "int", "u32",
                    arg(a, 1, null, macro, line), "0", line, 2);
            case "BPF_QUEUE" -> table(macro, "queue", arg(a, 0, null, macro, line), "", arg(a, 1, null, macro, line),
                    arg(a, 2, null, macro, line), "0", line, 3);
            case "BPF_STACK" -> table(macro, "stack", arg(a, 0, null, macro, line), "", arg(a, 1, null, macro, line),
                    arg(a, 2, null, macro, line), "0", line, 3);
            case "BPF_SK_STORAGE" -> table(macro, "sk_storage", arg(a, 0, null, macro, line), "int",
                    arg(a, 1, null, macro, line), "0", NO_PREALLOC, line, 2);
            case "BPF_INODE_STORAGE" -> table(macro, "inode_storage", arg(a, 0, null, macro, line), "int",
                    arg(a, 1, null, macro, line), "0", NO_PREALLOC, line, 2);
            case "BPF_TASK_STORAGE" -> table(macro, "task_storage", arg(a, 0, null, macro, line), "int",
                    arg(a, 1, null, macro, line), "0", NO_PREALLOC, line, 2);
            case "BPF_CGROUP_STORAGE" -> table(macro, "cgroup_storage", arg(a, 0, null, macro, line),
                    "struct bpf_cgroup_storage_key", arg(a, 1, null, macro, line), "0", "0", line, 2);
            case "BPF_PERCPU_CGROUP_STORAGE" -> table(macro, "percpu_cgroup_storage", arg(a, 0, null, macro, line),
                    "struct bpf_cgroup_storage_key", arg(a, 1, null, macro, line), "0", "0", line, 2);
            case "BPF_ARRAY_OF_MAPS" -> mapOfMaps(macro, "array_of_maps", a, line, "int");
            case "BPF_HASH_OF_MAPS" -> mapOfMaps(macro, "hash_of_maps", a, line, null);
            default -> throw new IllegalStateException(macro);
        };
    }

    /** BPF_TABLE(kind, key, leaf, name, size[, flags]) and its variants. */
    private TableDecl generic(String macro, List<String> a, int line, String flags, String pinned, int maxArgs) {
        String kindArg = arg(a, 0, null, macro, line);
        if (!kindArg.startsWith("\"")) {
            throw error(line, macro + "'s first argument must be the table kind as a string, e.g. \"hash\"; got " + kindArg);
        }
        String kind = unquote(kindArg);
        if (kind.equals("extern")) return null;
        if (!KIND_TO_MAP_TYPE.containsKey(kind)) {
            throw error(line, "unknown table kind \"" + kind + "\"; bcc's kinds are " + new java.util.TreeSet<>(KIND_TO_MAP_TYPE.keySet()));
        }
        String extraFlags = kind.equals("lpm_trie") && flags.equals("0") ? NO_PREALLOC : flags;
        TableDecl decl = table(macro, kind, arg(a, 3, null, macro, line), arg(a, 1, null, macro, line),
                arg(a, 2, null, macro, line), arg(a, 4, null, macro, line), extraFlags, line, maxArgs);
        return pinned == null ? decl : new TableDecl(decl.name(), macro, kind, decl.mapType(), decl.keyType(),
                decl.leafType(), decl.maxEntries(), decl.flags(), pinned, null, line);
    }

    /** BPF_ARRAY_OF_MAPS(name, inner, size); BPF_HASH_OF_MAPS(name[, key], inner, size). */
    private TableDecl mapOfMaps(String macro, String kind, List<String> a, int line, String fixedKey) {
        String name = arg(a, 0, null, macro, line);
        String key = fixedKey;
        int inner = 1;
        if (fixedKey == null) {
            key = a.size() >= 4 ? a.get(1) : "int";
            inner = a.size() >= 4 ? 2 : 1;
        }
        String innerName = unquote(arg(a, inner, null, macro, line));
        String size = arg(a, inner + 1, null, macro, line);
        if (!tables.containsKey(innerName)) {
            throw error(line, macro + " names inner table '" + innerName + "', which is not declared above it");
        }
        return new TableDecl(name, macro, kind, KIND_TO_MAP_TYPE.get(kind), key, "u32", size, "0", null, innerName, line);
    }

    private TableDecl table(String macro, String kind, String name, String key, String leaf, String size, String flags,
                            int line, int maxArgs) {
        if (!name.matches("[A-Za-z_]\\w*")) throw error(line, macro + ": '" + name + "' is not a valid table name");
        String mapType = KIND_TO_MAP_TYPE.get(kind);
        if (kind.equals("histogram")) {
            // bcc: a histogram keyed by a plain int is an array of slots, anything else a hash.
            mapType = key.matches("int|signed int|signed|s32|__s32") ? "BPF_MAP_TYPE_ARRAY" : "BPF_MAP_TYPE_HASH";
        }
        return new TableDecl(name, macro, kind, mapType, key, leaf, size, flags, null, null, line);
    }

    private String arg(List<String> args, int index, String fallback) {
        return index < args.size() && !args.get(index).isEmpty() ? args.get(index) : fallback;
    }

    private String arg(List<String> args, int index, String fallback, String macro, int line) {
        String v = arg(args, index, fallback);
        if (v == null) throw error(line, macro + " needs at least " + (index + 1) + " arguments");
        return v;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    // ---- programs' copies of kernel structs ----

    /**
     * {@code struct nameidata { struct path path; ... };} at file scope, for a struct the kernel's
     * BTF has with every member the copy names: bcc tools carry such copies because kernel headers
     * do not export them, while vmlinux.h has them all. The kernel's definition is the truth: the
     * copy's body goes, its name and declarators stay.
     */
    private void kernelStructCopies() {
        int depth = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.inDirective()) continue;
            if (t.is("{")) depth++;
            else if (t.is("}")) depth = Math.max(0, depth - 1);
            if (depth != 0 || !t.is("struct") || i + 2 >= tokens.size() || tokens.get(i + 1).kind() != Lexer.Kind.IDENT
                    || !tokens.get(i + 2).is("{") || (i > 0 && tokens.get(i - 1).is("typedef"))) {
                continue;
            }
            int close = matchingBrace(i + 2);
            if (close < 0) return;
            String name = tokens.get(i + 1).text();
            Set<String> kernel = KernelCompat.kernelStructMembers(name);
            Set<String> own = memberNames(i + 2, close);
            if (kernel != null && !own.isEmpty() && kernel.containsAll(own)) {
                LOG.log(System.Logger.Level.DEBUG, sourceName + ":" + line(t) + ": struct " + name
                        + " is the kernel's: its definition from BTF is used, the program's copy is dropped");
                edits.replace(tokens.get(i + 2).start(), tokens.get(close).end(), "");
            }
            i = close;
        }
    }

    private int matchingBrace(int open) {
        int depth = 0;
        for (int j = open; j < tokens.size(); j++) {
            if (tokens.get(j).inDirective()) continue;
            if (tokens.get(j).is("{")) depth++;
            else if (tokens.get(j).is("}") && --depth == 0) return j;
        }
        return -1;
    }

    /** The names a struct body declares at its own level: an identifier before ';', ',', '[' or ':'. */
    private Set<String> memberNames(int open, int close) {
        var names = new LinkedHashSet<String>();
        int depth = 0;
        for (int j = open; j < close; j++) {
            Token t = tokens.get(j);
            if (t.inDirective()) continue;
            if (t.is("{")) depth++;
            else if (t.is("}")) depth--;
            else if (depth == 1 && t.kind() == Lexer.Kind.IDENT && j + 1 < close) {
                Token next = tokens.get(j + 1);
                if (next.is(";") || next.is(",") || next.is("[") || next.is(":")) names.add(t.text());
            }
        }
        return names;
    }

    // ---- probes, methods, printk ----

    private void probesAndCalls() {
        int depth = 0;
        String lastCalled = null; // at file scope: the last name followed by '(' (a function's, at its body's '{')
        String function = null;   // the function whose body we are in
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind() == Lexer.Kind.PUNCT && !t.inDirective()) {
                if (t.is("{")) {
                    if (depth++ == 0) function = i > 0 && tokens.get(i - 1).is(")") ? lastCalled : null;
                } else if (t.is("}") && depth > 0 && --depth == 0) {
                    function = null;
                }
                continue;
            }
            if (t.kind() != Lexer.Kind.IDENT) continue;
            // p->sk_state: the kernel's member alias spelled out, so the access is the program's own text
            // (an implicit kernel read is rewritten where it is written, not inside a macro)
            String alias = KernelCompat.MEMBER_ALIASES.get(t.text());
            if (alias != null && i > 0 && (tokens.get(i - 1).is("->") || tokens.get(i - 1).is("."))) {
                edits.replace(t.start(), t.end(), alias);
                continue;
            }
            if (depth == 0 && !t.inDirective() && isCallAt(i)) lastCalled = t.text();
            if ((t.is("bpf_usdt_readarg") || t.is("bpf_usdt_readarg_p")) && isCallAt(i) && !t.inDirective()) {
                usdtReadarg(i, function);
                i++;
            } else if (t.is("TRACEPOINT_PROBE") && isCallAt(i) && !(i > 0 && tokens.get(i - 1).is("define"))) {
                i = tracepointProbe(i);
            } else if (t.is("bpf_trace_printk") && isCallAt(i) && i + 2 < tokens.size()
                    && tokens.get(i + 2).kind() == Lexer.Kind.STRING) {
                int close = matchingParen(i + 1);
                int args = arguments(i + 1, close).size();
                if (args > 4) {
                    throw error(line(t), "bpf_trace_printk takes a format and at most 3 arguments, not " + (args - 1)
                            + "; use bpf_trace_vprintk or split the output");
                }
                edits.replace(t.start(), tokens.get(i + 1).end(), "__JBCC_TRACE_PRINTK(");
                i++;
            } else if (tables.containsKey(t.text()) && i + 3 < tokens.size() && tokens.get(i + 1).is(".")
                    && tokens.get(i + 2).kind() == Lexer.Kind.IDENT && tokens.get(i + 3).is("(")
                    && !(i > 0 && (tokens.get(i - 1).is(".") || tokens.get(i - 1).is("->")))) {
                methodCall(i);
                i += 3;
            }
        }
    }

    /**
     * {@code bpf_usdt_readarg(N, ctx, &v)} and {@code bpf_usdt_readarg_p(N, ctx, buf, len)} read
     * argument N of the probe enabled for the enclosing function, through the readers generated for
     * it ({@code _bpf_readarg_FN_N}, see {@link UsdtHeader}).
     */
    private void usdtReadarg(int i, String function) {
        Token t = tokens.get(i);
        int line = line(t);
        int close = matchingParen(i + 1);
        List<String> args = arguments(i + 1, close);
        boolean pointer = t.is("bpf_usdt_readarg_p");
        int expected = pointer ? 4 : 3;
        if (args.size() != expected) {
            throw error(line, t.text() + " takes " + (pointer ? "(index, ctx, buf, len)" : "(index, ctx, &dest)")
                    + ", not " + args.size() + " arguments");
        }
        if (function == null) throw error(line, t.text() + " is only valid inside a function's body");
        Integer count = usdtFunctions.get(function);
        if (count == null) {
            throw error(line, t.text() + " in function '" + function + "', for which no USDT probe is enabled: enable one"
                    + " with usdt.enableProbe(\"probe\", \"" + function + "\") and pass the USDT to"
                    + " BPF.builder().usdtContexts(usdt)" + (usdtFunctions.isEmpty() ? ""
                    : " (USDT probes are enabled for " + new java.util.TreeSet<>(usdtFunctions.keySet()) + ")"));
        }
        String index = args.getFirst();
        if (!index.matches("[0-9]+")) {
            throw error(line, t.text() + "'s first argument must be the argument number as a literal (1.."
                    + count + "), not '" + index + "'");
        }
        int n = Integer.parseInt(index);
        if (n < 1 || n > count) {
            throw error(line, t.text() + "(" + n + ", ...) in '" + function + "': its USDT probe has " + count
                    + " argument" + (count == 1 ? "" : "s") + " (1.." + count + ")");
        }
        String macro = pointer ? "__JBCC_USDT_READARG_P(" : "__JBCC_USDT_READARG(";
        edits.replace(t.start(), tokens.get(i + 1).end(), macro + function + ", ");
    }

    private void methodCall(int i) {
        Token table = tokens.get(i);
        Token method = tokens.get(i + 2);
        String macro = METHODS.get(method.text());
        if (macro == null) {
            String near = closestMethod(method.text());
            throw Diagnostic.errorAt(sourceName, text, method.start(), "table '" + table.text() + "' has no method '"
                    + method.text() + "'" + (near != null ? "; did you mean '" + near + "'?" : ";")
                    + " bcc tables have: " + String.join(", ", sortedMethods()));
        }
        TableDecl decl = tables.get(table.text());
        boolean perfMethod = method.text().startsWith("perf_submit");
        boolean ringMethod = method.text().startsWith("ringbuf_");
        if (perfMethod && !decl.isPerfOutput()) {
            throw Diagnostic.errorAt(sourceName, text, method.start(), "'" + method.text()
                    + "' needs a BPF_PERF_OUTPUT table; '" + table.text() + "' is a " + decl.macro());
        }
        if (ringMethod && !decl.isRingBuffer()) {
            throw Diagnostic.errorAt(sourceName, text, method.start(), "'" + method.text()
                    + "' needs a BPF_RINGBUF_OUTPUT table; '" + table.text() + "' is a " + decl.macro());
        }
        boolean noArgs = i + 4 < tokens.size() && tokens.get(i + 4).is(")");
        edits.replace(table.start(), tokens.get(i + 3).end(), macro + "(" + table.text() + (noArgs ? "" : ", "));
    }

    private static List<String> sortedMethods() {
        return METHODS.keySet().stream().sorted().toList();
    }

    /** TRACEPOINT_PROBE(category, event) → the args struct and the function head, on the same line. */
    private int tracepointProbe(int i) {
        int close = matchingParen(i + 1);
        List<String> args = arguments(i + 1, close);
        int line = line(tokens.get(i));
        if (args.size() != 2) throw error(line, "TRACEPOINT_PROBE takes (category, event), e.g. TRACEPOINT_PROBE(sched, sched_switch)");
        String category = args.get(0), event = args.get(1);
        TracepointFormat format;
        try {
            format = formats.apply(category, event);
        } catch (CompileException e) {
            throw error(line, e.getMessage());
        }
        String struct = tracepoints.containsKey(format.structName()) ? "" : format.structDefinition() + " ";
        tracepoints.putIfAbsent(format.structName(), format);
        edits.replace(tokens.get(i).start(), tokens.get(close).end(), struct
                + "__attribute__((section(\"tracepoint/" + category + "/" + event + "\"), used)) int "
                + format.structName() + "(struct " + format.structName() + " *args)");
        return close;
    }

    // ---- license ----

    /** bcc's default license is GPL; appended after the last line so no user line moves. */
    private String licenseIfMissing() {
        for (Token t : tokens) {
            if (t.kind() == Lexer.Kind.STRING && t.is("\"license\"")) return "";
            if (t.kind() == Lexer.Kind.IDENT && t.is("_license")) return "";
        }
        String sep = text.isEmpty() || text.endsWith("\n") ? "" : "\n";
        return sep + "#ifndef BPF_LICENSE\n#define BPF_LICENSE GPL\n#endif\n"
                + "char _license[] __attribute__((section(\"license\"), used)) = __JBCC_XSTR(BPF_LICENSE);\n";
    }

    // ---- token helpers ----

    private boolean isCallAt(int i) {
        return i + 1 < tokens.size() && tokens.get(i + 1).is("(");
    }

    /** The index of the ')' matching the '(' at {@code open}. */
    private int matchingParen(int open) {
        int depth = 0;
        for (int j = open; j < tokens.size(); j++) {
            Token t = tokens.get(j);
            if (t.kind() != Lexer.Kind.PUNCT) continue;
            if (t.is("(")) depth++;
            else if (t.is(")") && --depth == 0) return j;
        }
        throw error(line(tokens.get(open)), "unbalanced parentheses: this '(' is never closed");
    }

    /** The top-level comma-separated arguments between '(' at {@code open} and ')' at {@code close}, as text. */
    private List<String> arguments(int open, int close) {
        var args = new ArrayList<String>();
        if (close == open + 1) return args;
        int depth = 0;
        int start = tokens.get(open).end();
        for (int j = open + 1; j < close; j++) {
            Token t = tokens.get(j);
            if (t.kind() != Lexer.Kind.PUNCT) continue;
            if (t.is("(") || t.is("[") || t.is("{")) depth++;
            else if (t.is(")") || t.is("]") || t.is("}")) depth--;
            else if (t.is(",") && depth == 0) {
                args.add(normalize(text.substring(start, t.start())));
                start = t.end();
            }
        }
        args.add(normalize(text.substring(start, tokens.get(close).start())));
        return args;
    }

    /** Argument text on one line: comments dropped, whitespace runs collapsed. */
    private static String normalize(String s) {
        return s.replaceAll("/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ").replaceAll("\\\\\n", " ")
                .replaceAll("\\s+", " ").strip();
    }

    /** The table method within two edits of {@code name} (a typo), or null. */
    private static String closestMethod(String name) {
        String best = null;
        int bestDistance = 3;
        for (String m : sortedMethods()) {
            int d = editDistance(name, m);
            if (d < bestDistance) {
                best = m;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) row[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int above = row[j];
                row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.length()];
    }

    private int line(Token t) {
        return Diagnostic.lineOf(text, t.start());
    }

    private CompileException error(int line, String message) {
        return Diagnostic.error(sourceName, text, line, message);
    }

    /** Names the program includes that jbcc serves itself (kernel and bcc headers), for stub generation. */
    static Set<String> kernelIncludes(List<Lexer.Include> includes) {
        var names = new LinkedHashSet<String>();
        for (Lexer.Include inc : includes) {
            if (Prelude.isServed(inc.name())) names.add(inc.name());
        }
        return names;
    }
}
