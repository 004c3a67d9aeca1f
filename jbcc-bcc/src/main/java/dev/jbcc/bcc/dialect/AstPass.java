package dev.jbcc.bcc.dialect;

import dev.jbcc.bcc.dialect.ClangAst.Node;
import dev.jbcc.errors.CompileException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The typed half of the rewrite, on clang's AST of the pre-pass output: program sections,
 * kprobe arguments read from registers, and bcc's implicit kernel reads.
 *
 * <p><b>External pointers.</b> As in bcc, a pointer is external (it points into kernel memory the
 * program may only read with {@code bpf_probe_read_kernel}) when it is an extra kprobe argument,
 * comes from {@code bpf_get_current_task()}, is read from a tracing context ({@code ctx->di},
 * {@code args->filename}), is read through another external pointer, is read out of a map value
 * (a pointer stored in a map and looked up again), or is assigned or initialised from one of
 * those. A read of an lvalue reached through an external pointer ({@code *p}, {@code p->f.g},
 * {@code p[i]}) becomes a probe read of its address; taking an address, {@code sizeof}, array
 * results (which decay to addresses) and code inside macro bodies are left alone; a write is an
 * error.
 *
 * <p><b>Packet headers.</b> bcc's {@code <bcc/proto.h>} dialect: a struct marked
 * {@code BPF_PACKET_HEADER} (packed, annotated {@code jbcc_packet_header}) describes a protocol
 * header on the wire, and a pointer to one holds an offset into the packet (from
 * {@code cursor_advance} on a cursor that starts at 0). A read of a field through it
 * ({@code ip->src}) becomes {@code bpf_dext_pkt(skb, (u64)ip + byte, bit, bits)}, an assignment
 * ({@code ip->ttl = v}) {@code bpf_dins_pkt(skb, …, v)}, where {@code skb} is the function's
 * first parameter, which must be a {@code struct __sk_buff *}.
 */
final class AstPass {

    /** A program function as the AST shows it. */
    record Function(String name, String section, String ctxType, int line, boolean hasSection) {}

    /**
     * A {@code perf_submit}/{@code ringbuf_output}/{@code ringbuf_submit} call site.
     *
     * @param table    the table it submits to
     * @param typeName the submitted value's C type ("struct data_t"), or null if it cannot be named
     * @param line     the call's line
     * @param global   the name of the generated global that gives the type BTF, or null
     */
    record Submission(String table, String typeName, int line, String global) {}

    record Result(String text, List<Function> functions, List<Submission> submissions) {}

    private static final String[] SYSCALL_REGS = {"PT_REGS_PARM1_CORE_SYSCALL", "PT_REGS_PARM2_CORE_SYSCALL",
            "PT_REGS_PARM3_CORE_SYSCALL", "PT_REGS_PARM4_CORE_SYSCALL", "PT_REGS_PARM5_CORE_SYSCALL",
            "PT_REGS_PARM6_CORE_SYSCALL"};
    private static final String EVENT_SECTION = ".jbcc.events";

    private final String sourceName;
    private final String userText;
    private final String text;
    private final Map<String, TableDecl> tables;
    private final TextEdits edits;
    private final Set<String> fileScopeTypes = new HashSet<>();
    private final Map<String, String> tableVarIds = new HashMap<>(); // decl id → table name
    private final Map<String, PacketField> packetFields = new HashMap<>(); // FieldDecl id → its place on the wire
    private int readCounter;

    private AstPass(String sourceName, String userText, String text, Map<String, TableDecl> tables) {
        this.sourceName = sourceName;
        this.userText = userText;
        this.text = text;
        this.tables = tables;
        this.edits = new TextEdits(text);
    }

    /**
     * @param userText the program as the user wrote it (for error messages)
     * @param text     the pre-pass output the AST was made from
     */
    static Result run(String sourceName, String userText, String text, Node translationUnit, Map<String, TableDecl> tables) {
        return new AstPass(sourceName, userText, text, tables).run(translationUnit);
    }

    private Result run(Node tu) {
        var functions = new ArrayList<Function>();
        var analysed = new ArrayList<Analysed>();
        var helpers = new HashMap<String, Analysed>();
        var externalReturns = new HashSet<String>();
        collectPacketHeaders(tu);
        for (Node d : tu.children) {
            if (d.expansionOffset < 0) continue; // declared in the prelude or a header
            switch (d.kind) {
                case "RecordDecl" -> {
                    if (d.name() != null && !d.name().isEmpty()) fileScopeTypes.add(d.string("tagUsed") + " " + d.name());
                }
                case "TypedefDecl" -> fileScopeTypes.add(d.name());
                case "VarDecl" -> {
                    if (tables.containsKey(d.name())) tableVarIds.put(d.id(), d.name());
                }
                case "FunctionDecl" -> {
                    Node body = body(d);
                    if (body == null) continue;
                    if (!packetFields.isEmpty()) rewritePacketAccess(d, body);
                    if (!"static".equals(d.string("storageClass"))) {
                        var state = new Externals(externalReturns);
                        functions.add(program(d, body, state));
                        analysed.add(new Analysed(d.name(), body, state, List.of()));
                    } else {
                        Analysed h = helper(d, body, externalReturns);
                        analysed.add(h);
                        helpers.put(d.name(), h);
                    }
                }
                default -> { }
            }
        }
        solveCalls(analysed, helpers);
        for (Analysed a : analysed) rewriteReads(a.body(), a.state());
        var submissions = new ArrayList<Submission>();
        var globals = new StringBuilder();
        collectSubmissions(tu, submissions, globals);
        String out = edits.apply();
        if (!globals.isEmpty()) out = (out.endsWith("\n") ? out : out + "\n") + globals;
        return new Result(out, List.copyOf(functions), List.copyOf(submissions));
    }

    private static Node body(Node function) {
        for (Node c : function.children) if (c.is("CompoundStmt")) return c;
        return null;
    }

    // ---- program functions ----

    /** A function body and what is known about its variables; {@code params} are a static function's parameter ids. */
    private record Analysed(String name, Node body, Externals state, List<String> params) {}

    /**
     * Pointers passed into the program's own static functions: a parameter is external when a
     * call passes an external pointer for it, and is the context when a call passes the caller's
     * context (bcc follows its external pointers into the functions it inlines). Iterates until
     * no parameter changes, so chains of static functions are followed.
     */
    private static void solveCalls(List<Analysed> analysed, Map<String, Analysed> helpers) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Analysed a : analysed) {
                a.state().solve(a.body());
                changed |= propagateCalls(a.body(), a.state(), helpers);
                if (helpers.get(a.name()) == a) changed |= returnsExternal(a.body(), a.state(), a.name());
            }
        }
    }

    private static boolean propagateCalls(Node n, Externals state, Map<String, Analysed> helpers) {
        boolean changed = false;
        if (n.is("CallExpr")) {
            Analysed callee = helpers.get(calleeName(n));
            if (callee != null) {
                for (int i = 0; i < callee.params().size() && i + 1 < n.children.size(); i++) {
                    Node arg = n.child(i + 1);
                    String param = callee.params().get(i);
                    Node bare = stripAll(arg);
                    if (state.ctxId != null && bare != null && bare.is("DeclRefExpr") && state.ctxId.equals(bare.refId())) {
                        if (callee.state().ctxId == null) {
                            callee.state().ctxId = param;
                            changed = true;
                        }
                    } else if (isPointer(arg.type()) && state.isExternal(arg)) {
                        changed |= callee.state().externalVars.add(param);
                    }
                }
            }
        }
        for (Node c : n.children) changed |= propagateCalls(c, state, helpers);
        return changed;
    }

    /** A static function that returns a kernel pointer (tcpdrop's skb_to_tcphdr): its calls are external. */
    private static boolean returnsExternal(Node n, Externals state, String name) {
        if (n.is("ReturnStmt") && !n.children.isEmpty() && isPointer(n.child(0).type()) && state.isExternal(n.child(0))) {
            return state.externalReturns.add(name);
        }
        boolean changed = false;
        for (Node c : n.children) changed |= returnsExternal(c, state, name);
        return changed;
    }

    private static boolean isPointer(String type) {
        return type != null && type.strip().endsWith("*");
    }

    private Function program(Node fn, Node body, Externals state) {
        String name = fn.name();
        List<Node> params = fn.children.stream().filter(c -> c.is("ParmVarDecl")).toList();
        String ctxType = params.isEmpty() ? "" : normalizeType(params.getFirst().type());
        boolean hasSection = fn.children.stream().anyMatch(c -> c.is("SectionAttr"));
        String section = hasSection ? null : sectionFor(name, ctxType);
        int line = lineOf(fn.expansionOffset);
        if (!hasSection) {
            int[] r = fn.range();
            if (r == null) throw error(line, "cannot place function " + name + "'s section: it comes from a macro jbcc does not know");
            edits.insert(r[0], "__attribute__((section(\"" + section + "\"), used)) ", -1000);
        }

        if (!params.isEmpty()) {
            Node ctx = params.getFirst();
            if (isTracingContext(ctxType, name)) state.ctxId = ctx.id();
            if (params.size() > 1 && ctxType.equals("struct pt_regs *")) kprobeArguments(fn, body, params, state);
        }
        return new Function(name, section, ctxType, line, hasSection);
    }

    /**
     * A static function the programs call: its own kernel pointers ({@code bpf_get_current_task()},
     * pointers it takes out of maps) are read safely as in a program, and so are the parameters
     * its callers pass external pointers or their context for ({@link #solveCalls}).
     */
    private static Analysed helper(Node fn, Node body, Set<String> externalReturns) {
        List<String> params = fn.children.stream().filter(c -> c.is("ParmVarDecl")).map(Node::id).toList();
        return new Analysed(fn.name(), body, new Externals(externalReturns), params);
    }

    /** bcc's auto-attach prefixes, then the context type, decide the section. */
    static String sectionFor(String name, String ctxType) {
        if (name.startsWith("kprobe__")) return "kprobe/" + name.substring(8);
        if (name.startsWith("kretprobe__")) return "kretprobe/" + name.substring(11);
        if (name.startsWith("tracepoint__")) {
            String rest = name.substring(12);
            int sep = rest.indexOf("__");
            return sep > 0 ? "tracepoint/" + rest.substring(0, sep) + "/" + rest.substring(sep + 2) : "tracepoint";
        }
        if (name.startsWith("raw_tracepoint__")) return "raw_tracepoint/" + name.substring(16);
        if (name.startsWith("kfunc__")) return "fentry/" + name.substring(7);
        if (name.startsWith("kretfunc__")) return "fexit/" + name.substring(10);
        if (name.startsWith("lsm__")) return "lsm/" + name.substring(5);
        return switch (ctxType) {
            case "struct xdp_md *" -> "xdp";
            case "struct __sk_buff *" -> "tc";
            case "struct bpf_perf_event_data *" -> "perf_event";
            case "struct bpf_raw_tracepoint_args *" -> "raw_tracepoint";
            case "struct bpf_sock_ops *" -> "sockops";
            case "struct sk_msg_md *" -> "sk_msg";
            case "struct bpf_sock_addr *" -> "cgroup/connect4";
            case "struct bpf_sock *" -> "cgroup/sock";
            case "struct bpf_sysctl *" -> "cgroup/sysctl";
            case "struct bpf_sockopt *" -> "cgroup/getsockopt";
            case "struct sk_reuseport_md *" -> "sk_reuseport";
            default -> "kprobe"; // bcc's default: pt_regs, void *, or no context at all
        };
    }

    /** Contexts whose pointer fields point into the kernel (as opposed to packet contexts). */
    private static boolean isTracingContext(String ctxType, String name) {
        if (name.startsWith("kfunc__") || name.startsWith("kretfunc__") || name.startsWith("lsm__")) return false;
        return ctxType.equals("struct pt_regs *") || ctxType.equals("void *") || ctxType.equals("struct bpf_raw_tracepoint_args *")
                || ctxType.equals("struct bpf_perf_event_data *") || ctxType.startsWith("struct tracepoint__");
    }

    private static String normalizeType(String t) {
        if (t == null) return "";
        return t.replace("const ", "").replaceAll("\\s+", " ").strip();
    }

    /**
     * {@code int f(struct pt_regs *ctx, struct sock *sk)}: the extra parameters become locals
     * initialised from the argument registers, on the line of the body's brace.
     */
    private void kprobeArguments(Node fn, Node body, List<Node> params, Externals state) {
        String name = fn.name();
        int line = lineOf(fn.expansionOffset);
        Node ctx = params.getFirst();
        if (params.size() - 1 > 6) {
            throw error(line, name + " has " + (params.size() - 1) + " arguments after ctx; kprobes can read 6 from registers");
        }
        int[] ctxRange = ctx.range();
        int[] lastRange = params.getLast().range();
        int[] bodyRange = body.range();
        if (ctxRange == null || lastRange == null || bodyRange == null || ctx.name() == null) {
            throw error(line, "kprobe function " + name + " must name its context parameter (struct pt_regs *ctx)");
        }
        boolean syscall = name.startsWith("syscall__");
        var decls = new StringBuilder();
        String regs = ctx.name();
        if (syscall) {
            // The syscall's own pt_regs is the wrapper's (__x64_sys_*) first argument.
            decls.append(" struct pt_regs *__jbcc_regs = (struct pt_regs *)PT_REGS_PARM1(").append(ctx.name()).append(");");
            regs = "__jbcc_regs";
        }
        for (int i = 1; i < params.size(); i++) {
            Node p = params.get(i);
            int[] r = p.range();
            if (r == null || p.name() == null) throw error(line, "parameter " + i + " of " + name + " must be named");
            String declaration = text.substring(r[0], r[1]).replaceAll("\\s+", " ");
            String reg = syscall ? SYSCALL_REGS[i - 1] : "PT_REGS_PARM" + i;
            decls.append(' ').append(declaration).append(" = (__typeof__(").append(p.name()).append("))")
                    .append(reg).append('(').append(regs).append(");");
            state.externalVars.add(p.id());
        }
        edits.replace(ctxRange[1], lastRange[1], "");
        edits.insert(bodyRange[0] + 1, decls.toString());
    }

    // ---- external pointers ----

    /** What the analysis knows about one function's variables. */
    private static final class Externals {
        /** The static functions that return kernel pointers (shared by every function's analysis). */
        final Set<String> externalReturns;
        String ctxId;
        final Set<String> externalVars = new HashSet<>();
        final Set<String> mapValueVars = new HashSet<>();

        Externals(Set<String> externalReturns) {
            this.externalReturns = externalReturns;
        }

        /** Flow-insensitive: iterate assignments and initialisations until nothing changes. */
        void solve(Node body) {
            boolean changed = true;
            while (changed) {
                changed = false;
                var assignments = new ArrayList<Node[]>(); // {target decl-ish node, value}
                collect(body, assignments);
                for (Node[] a : assignments) {
                    String id = a[0].is("VarDecl") ? a[0].id() : a[0].refId();
                    if (id == null) continue;
                    if (!externalVars.contains(id) && isExternal(a[1])) changed |= externalVars.add(id);
                    if (!mapValueVars.contains(id) && isMapValue(a[1])) changed |= mapValueVars.add(id);
                }
            }
        }

        private void collect(Node n, List<Node[]> out) {
            if (n.is("VarDecl") && !n.children.isEmpty()) {
                Node init = n.children.getLast();
                if (!init.kind.endsWith("Attr")) out.add(new Node[] {n, init});
            } else if (n.is("BinaryOperator") && "=".equals(n.opcode()) && n.children.size() == 2) {
                Node target = strip(n.child(0));
                if (target.is("DeclRefExpr")) out.add(new Node[] {target, n.child(1)});
            }
            for (Node c : n.children) collect(c, out);
        }

        /** An rvalue whose value may be a pointer into kernel memory. */
        boolean isExternal(Node e) {
            if (e == null) return false;
            return switch (e.kind) {
                case "ParenExpr" -> isExternal(e.child(0));
                // (struct sock *)ctx->args[0], (struct sock *)PT_REGS_RC(ctx): an integer of the context used as a pointer
                case "CStyleCastExpr" -> isExternal(e.child(0)) || (isPointer(e.type()) && isContextLoad(e.child(0)));
                case "ImplicitCastExpr" -> switch (String.valueOf(e.castKind())) {
                    case "LValueToRValue" -> {
                        Node lv = e.child(0);
                        Node s = strip(lv);
                        yield (s.is("DeclRefExpr") && externalVars.contains(s.refId()))
                                || isKernelMemory(lv) || isMapMemory(lv) || (isContextMemory(lv) && isPointer(e.type()));
                    }
                    case "ArrayToPointerDecay" -> isKernelMemory(e.child(0));
                    default -> isExternal(e.child(0));
                };
                case "CallExpr" -> "bpf_get_current_task".equals(calleeName(e)) || externalReturns.contains(calleeName(e));
                case "UnaryOperator" -> "&".equals(e.opcode()) && isKernelMemory(e.child(0));
                case "BinaryOperator" -> switch (String.valueOf(e.opcode())) {
                    case "+", "-" -> isExternal(e.child(0)) || isExternal(e.child(1));
                    case "," , "=" -> isExternal(e.child(1));
                    default -> false;
                };
                case "ConditionalOperator" -> isExternal(e.child(1)) || isExternal(e.child(2));
                case "StmtExpr" -> isExternal(lastExpression(e));
                default -> false;
            };
        }

        /** An lvalue in kernel memory: reached through an external pointer. */
        boolean isKernelMemory(Node lv) {
            if (lv == null) return false;
            return switch (lv.kind) {
                case "ParenExpr" -> isKernelMemory(lv.child(0));
                case "UnaryOperator" -> "*".equals(lv.opcode()) && isExternal(lv.child(0));
                case "MemberExpr" -> lv.flag("isArrow") ? isExternal(lv.child(0)) : isKernelMemory(lv.child(0));
                case "ArraySubscriptExpr" -> isExternal(lv.child(0)) || isExternal(lv.child(1));
                default -> false;
            };
        }

        /** An lvalue inside a map value (directly accessible; pointers read from it are external). */
        boolean isMapMemory(Node lv) {
            if (lv == null) return false;
            return switch (lv.kind) {
                case "ParenExpr" -> isMapMemory(lv.child(0));
                case "UnaryOperator" -> "*".equals(lv.opcode()) && isMapValue(lv.child(0));
                case "MemberExpr" -> lv.flag("isArrow") ? isMapValue(lv.child(0)) : isMapMemory(lv.child(0));
                case "ArraySubscriptExpr" -> isMapValue(lv.child(0));
                default -> false;
            };
        }

        /** A pointer to a map value: a lookup's result, or a variable holding one. */
        boolean isMapValue(Node e) {
            if (e == null) return false;
            return switch (e.kind) {
                case "ParenExpr", "CStyleCastExpr" -> isMapValue(e.child(0));
                case "ImplicitCastExpr" -> "LValueToRValue".equals(e.castKind())
                        ? strip(e.child(0)).is("DeclRefExpr") && mapValueVars.contains(strip(e.child(0)).refId())
                        : isMapValue(e.child(0));
                case "CallExpr" -> "bpf_map_lookup_elem".equals(calleeName(e));
                case "StmtExpr" -> isMapValue(lastExpression(e));
                case "BinaryOperator" -> ",".equals(e.opcode()) && isMapValue(e.child(1));
                case "ConditionalOperator" -> isMapValue(e.child(1)) || isMapValue(e.child(2));
                default -> false;
            };
        }

        /** A value loaded from the tracing context, whatever its type, under parens and casts. */
        boolean isContextLoad(Node e) {
            Node n = e;
            while (n != null && (n.is("ParenExpr") || n.is("CStyleCastExpr")
                    || (n.is("ImplicitCastExpr") && !"LValueToRValue".equals(n.castKind())))) {
                n = n.child(0);
            }
            return n != null && n.is("ImplicitCastExpr") && isContextMemory(n.child(0));
        }

        /** An lvalue in a tracing context (ctx->di, args->filename, ctx->args[0], PT_REGS_RC(ctx)). */
        boolean isContextMemory(Node lv) {
            if (lv == null || ctxId == null) return false;
            return switch (lv.kind) {
                case "ParenExpr" -> isContextMemory(lv.child(0));
                case "MemberExpr" -> {
                    if (!lv.flag("isArrow")) yield isContextMemory(lv.child(0));
                    // the base is a load of ctx, maybe cast (PT_REGS_RC(ctx) casts it to struct pt_regs *)
                    Node base = stripAll(lv.child(0));
                    yield base != null && base.is("DeclRefExpr") && ctxId.equals(base.refId());
                }
                case "ArraySubscriptExpr" -> {
                    Node base = lv.child(0);
                    yield base != null && base.is("ImplicitCastExpr") && "ArrayToPointerDecay".equals(base.castKind())
                            && isContextMemory(base.child(0));
                }
                default -> false;
            };
        }
    }

    /** Parens and implicit casts peeled off. */
    private static Node strip(Node n) {
        while (n != null && (n.is("ParenExpr") || (n.is("ImplicitCastExpr") && !"LValueToRValue".equals(n.castKind())))) {
            n = n.child(0);
        }
        return n;
    }

    private static Node stripAll(Node n) {
        while (n != null && (n.is("ParenExpr") || n.is("ImplicitCastExpr") || n.is("CStyleCastExpr"))) n = n.child(0);
        return n;
    }

    private static String calleeName(Node call) {
        Node callee = stripAll(call.child(0));
        return callee != null && callee.is("DeclRefExpr") ? callee.refName() : null;
    }

    private static Node lastExpression(Node stmtExpr) {
        Node compound = stmtExpr.child(0);
        return compound == null || compound.children.isEmpty() ? null : compound.children.getLast();
    }

    // ---- rewriting reads, refusing writes ----

    private void rewriteReads(Node n, Externals state) {
        if (n.is("UnaryExprOrTypeTraitExpr")) return; // sizeof, alignof: nothing is read
        if (n.is("ImplicitCastExpr") && "LValueToRValue".equals(n.castKind()) && state.isKernelMemory(n.child(0))) {
            Node lv = n.child(0);
            int[] r = lv.range();
            if (r != null) probeRead(lv, r);
        } else if (n.is("BinaryOperator") && "=".equals(n.opcode()) || n.is("CompoundAssignOperator")) {
            checkWrite(n.child(0), state, n);
        } else if (n.is("UnaryOperator") && String.valueOf(n.opcode()).matches("\\+\\+|--")) {
            checkWrite(n.child(0), state, n);
        }
        for (Node c : n.children) rewriteReads(c, state);
    }

    private void checkWrite(Node target, Externals state, Node at) {
        if (!state.isKernelMemory(target)) return;
        int[] r = target.range();
        String what = r != null ? "'" + text.substring(r[0], r[1]).replaceAll("\\s+", " ") + "'" : "this lvalue";
        throw error(lineOf(at.expansionOffset >= 0 ? at.expansionOffset : target.expansionOffset),
                "cannot write to kernel memory: " + what + " is reached through a kernel pointer, which bcc programs"
                        + " may only read (with bpf_probe_read_kernel); copy the value into a local variable and change that");
    }

    /** {@code p->f} → a statement expression that probe-reads {@code p->f} into a zeroed local. */
    private void probeRead(Node lv, int[] r) {
        int k = readCounter++;
        String p = "__jbcc_p" + k, v = "__jbcc_v" + k;
        edits.insert(r[0], "({ __auto_type " + p + " = &(", lv.depth);
        edits.insert(r[1], "); __typeof_unqual__(*" + p + ") " + v + "; __builtin_memset(&" + v + ", 0, sizeof(" + v
                + ")); bpf_probe_read_kernel(&" + v + ", sizeof(" + v + "), " + p + "); " + v + "; })", -lv.depth);
    }

    // ---- packet headers (bcc's proto.h) ----

    /** A field of a packet header: {@code bits} bits from {@code bitOffset} bits into the header, on the wire. */
    private record PacketField(String struct, int bitOffset, int bits) {}

    /** The fields of every packet header struct, laid out as packed in declaration order. */
    private void collectPacketHeaders(Node tu) {
        for (Node d : tu.children) {
            if (!d.is("RecordDecl") || !hasChild(d, "PackedAttr") || !hasChild(d, "AnnotateAttr")) continue;
            int bit = 0;
            for (Node f : d.children) {
                if (!f.is("FieldDecl")) continue;
                int bits;
                if (f.flag("isBitfield")) {
                    Node width = f.child(0);
                    bits = width == null || width.string("value") == null ? -1 : Integer.parseInt(width.string("value"));
                } else {
                    bit = (bit + 7) & ~7;
                    bits = scalarBits(f.type());
                }
                if (bits <= 0 || bits > 64) break; // an array or a type jbcc cannot size: later fields are not reachable
                packetFields.put(f.id(), new PacketField(d.name(), bit, bits));
                bit += bits;
            }
        }
    }

    private static boolean hasChild(Node n, String kind) {
        for (Node c : n.children) if (c.is(kind)) return true;
        return false;
    }

    /** The width of an integer type as clang names it for BPF, or -1. */
    private static int scalarBits(String type) {
        String t = normalizeType(type).replace("volatile ", "").replaceFirst("^(unsigned|signed) ", "");
        return switch (t) {
            case "char", "u8", "__u8", "s8", "__s8", "_Bool" -> 8;
            case "short", "short int", "u16", "__u16", "s16", "__s16", "__be16" -> 16;
            case "int", "unsigned", "u32", "__u32", "s32", "__s32", "__be32" -> 32;
            case "long", "long int", "long long", "long long int", "u64", "__u64", "s64", "__s64", "__be64" -> 64;
            default -> -1;
        };
    }

    /** The packet header field a member access names through a pointer, or null. */
    private PacketField packetField(Node n) {
        Node m = n;
        while (m != null && m.is("ParenExpr")) m = m.child(0);
        if (m == null || !m.is("MemberExpr") || !m.flag("isArrow")) return null;
        return packetFields.get(m.string("referencedMemberDecl"));
    }

    private static Node unparen(Node n) {
        while (n != null && n.is("ParenExpr")) n = n.child(0);
        return n;
    }

    private void rewritePacketAccess(Node fn, Node n) {
        if (n.is("UnaryExprOrTypeTraitExpr")) return; // sizeof(*ip): nothing is read
        if (n.is("ImplicitCastExpr") && "LValueToRValue".equals(n.castKind()) && packetField(n.child(0)) != null) {
            Node m = unparen(n.child(0));
            packetRead(fn, m, packetField(m));
            rewritePacketAccess(fn, m.child(0));
            return;
        }
        if (n.is("BinaryOperator") && "=".equals(n.opcode()) && packetField(n.child(0)) != null) {
            Node m = unparen(n.child(0));
            packetWrite(fn, n, m, packetField(m));
            rewritePacketAccess(fn, m.child(0));
            rewritePacketAccess(fn, n.child(1));
            return;
        }
        if ((n.is("CompoundAssignOperator") || n.is("UnaryOperator") && String.valueOf(n.opcode()).matches("\\+\\+|--"))
                && packetField(n.child(0)) != null) {
            throw error(lineOf(n.expansionOffset), "'" + accessText(unparen(n.child(0))) + "' is a packet header field:"
                    + " jbcc rewrites plain reads and plain assignments of it; write it as x->f = x->f + v");
        }
        for (Node c : n.children) rewritePacketAccess(fn, c);
    }

    /** {@code ip->src} → {@code ((T)bpf_dext_pkt(skb, (unsigned long long)(ip) + 12, 0, 32))}. */
    private void packetRead(Node fn, Node m, PacketField f) {
        String skb = skbParameter(fn, m, "read");
        int[] r = m.range(), base = m.child(0).range();
        if (r == null || base == null) throw packetInMacro(m);
        edits.insert(r[0], "((" + m.type() + ")bpf_dext_pkt(" + skb + ", (unsigned long long)(", m.depth);
        edits.replace(base[1], r[1], ") + " + (f.bitOffset() >> 3) + ", " + (f.bitOffset() & 7) + ", " + f.bits() + "))");
    }

    /** {@code ip->ttl = v} → {@code bpf_dins_pkt(skb, (unsigned long long)(ip) + 8, 0, 8, v)}. */
    private void packetWrite(Node fn, Node assignment, Node m, PacketField f) {
        String skb = skbParameter(fn, m, "written");
        int[] r = assignment.range(), base = m.child(0).range(), value = assignment.child(1).range();
        if (r == null || base == null || value == null) throw packetInMacro(m);
        edits.insert(r[0], "bpf_dins_pkt(" + skb + ", (unsigned long long)(", assignment.depth);
        edits.replace(base[1], value[0], ") + " + (f.bitOffset() >> 3) + ", " + (f.bitOffset() & 7) + ", " + f.bits() + ", ");
        edits.insert(r[1], ")", -assignment.depth);
    }

    /** The name of the function's {@code struct __sk_buff *} first parameter, which the packet loads need. */
    private String skbParameter(Node fn, Node m, String how) {
        Node first = fn.children.stream().filter(c -> c.is("ParmVarDecl")).findFirst().orElse(null);
        if (first != null && first.name() != null && normalizeType(first.type()).equals("struct __sk_buff *")) return first.name();
        String has = first == null ? "no parameters" : "first parameter '" + normalizeType(first.type()) + "'";
        throw error(lineOf(m.expansionOffset), "'" + accessText(m) + "' is a field of packet header " + "struct "
                + packetField(m).struct() + ", " + how + " from the packet, but " + fn.name() + " has " + has
                + ": packet headers need the skb, so make its first parameter struct __sk_buff *skb (a socket filter or TC program)");
    }

    private CompileException packetInMacro(Node m) {
        return error(lineOf(m.expansionOffset), "packet header field '" + m.name() + "' is accessed inside a macro body;"
                + " jbcc rewrites packet fields only where the program's text names them: use a function or write it out");
    }

    private String accessText(Node m) {
        int[] r = m.range();
        return r != null ? text.substring(r[0], r[1]).replaceAll("\\s+", " ") : "->" + m.name();
    }

    // ---- what perf and ring buffer outputs submit ----

    private void collectSubmissions(Node n, List<Submission> out, StringBuilder globals) {
        if (n.is("CallExpr")) {
            String callee = calleeName(n);
            // (map argument index, data argument index) per helper
            int[] args = switch (callee == null ? "" : callee) {
                case "bpf_perf_event_output" -> new int[] {2, 4};
                case "bpf_ringbuf_output" -> new int[] {1, 2};
                case "bpf_ringbuf_submit" -> new int[] {-1, 1};
                default -> null;
            };
            if (args != null) submission(n, args, out, globals);
        }
        for (Node c : n.children) collectSubmissions(c, out, globals);
    }

    private void submission(Node call, int[] args, List<Submission> out, StringBuilder globals) {
        Node data = call.child(args[1]);
        String table;
        if (args[0] >= 0) {
            table = tableReferenced(call.child(args[0]));
        } else {
            // ringbuf_submit's expansion carries the table on the left of a comma: ((void)&t, data)
            Node d = stripAll(data);
            table = d != null && d.is("BinaryOperator") && ",".equals(d.opcode()) ? tableReferenced(d.child(0)) : null;
            if (d != null && d.is("BinaryOperator") && ",".equals(d.opcode())) data = d.child(1);
        }
        if (table == null || data == null) return;
        String pointer = pointerTypeOf(data);
        String type = pointer != null && pointer.endsWith("*") ? pointer.substring(0, pointer.length() - 1).strip() : null;
        if (type != null) type = type.replace("const ", "").replace("volatile ", "").strip();
        int line = lineOf(call.expansionOffset);
        String global = null;
        if (type != null && nameable(type)) {
            global = "__jbcc_event_" + out.size();
            globals.append(type).append(' ').append(global).append(" __attribute__((section(\"").append(EVENT_SECTION)
                    .append("\"), used));\n");
        }
        out.add(new Submission(table, type, line, global));
    }

    /** The pointer type of a data argument before it was converted to {@code void *}. */
    private static String pointerTypeOf(Node data) {
        Node n = data;
        while (n != null && (n.is("ParenExpr") || (n.is("ImplicitCastExpr") && !"LValueToRValue".equals(n.castKind())))) {
            Node c = n.child(0);
            if (c == null) break;
            String t = c.type();
            if (t != null && !t.equals("void *") && !t.equals("const void *")) n = c;
            else break;
        }
        return n == null ? null : n.type();
    }

    private String tableReferenced(Node n) {
        if (n == null) return null;
        if (n.is("DeclRefExpr") && tableVarIds.containsKey(n.refId())) return tableVarIds.get(n.refId());
        for (Node c : n.children) {
            String t = tableReferenced(c);
            if (t != null) return t;
        }
        return null;
    }

    /** Whether a type can be named at file scope after the program (so a global can carry it to BTF). */
    private boolean nameable(String type) {
        if (type.contains("(") || type.contains("[") || type.contains("*")) return false;
        if (fileScopeTypes.contains(type)) return true;
        return type.matches("(unsigned |signed )?(char|short|int|long|long long)|[us](8|16|32|64)|__[us](8|16|32|64)");
    }

    // ---- helpers ----

    private int lineOf(int offset) {
        return offset < 0 ? 0 : Diagnostic.lineOf(text, offset);
    }

    private CompileException error(int line, String message) {
        return Diagnostic.error(sourceName, userText, line, message);
    }

    /** For tests: the generated globals' section. */
    static String eventSection() {
        return EVENT_SECTION;
    }
}
