package dev.jbcc.spec;


import java.util.List;
import java.util.Optional;

/**
 * What an ELF section name such as {@code kprobe/do_sys_openat2} or {@code xdp.frags} says about
 * the programs in it, following libbpf's {@code SEC()} conventions (the table is kept in libbpf's
 * order, because the first matching row wins).
 *
 * @param sectionName the full section name
 * @param kind        the convention matched, without its separator: {@code "kretprobe"}, {@code "tp_btf"},
 *                    {@code "xdp.frags"}, {@code "cgroup/connect4"}; attach code uses it to tell e.g. a
 *                    return probe from an entry probe of the same program type
 * @param type        the program type
 * @param attachType  the expected attach type passed at load time, or null if the type needs none
 * @param target      what follows {@code kind/}: a function ({@code do_sys_openat2}), a tracepoint
 *                    ({@code syscalls/sys_enter_openat}), a binary and symbol ({@code /bin/bash:readline}),
 *                    an iterator ({@code task}), or null if the name has no such part
 * @param sleepable   the program may sleep ({@code BPF_F_SLEEPABLE}): the {@code .s} variants and {@code syscall}
 * @param xdpFrags    the XDP program handles multi-buffer packets ({@code BPF_F_XDP_HAS_FRAGS})
 * @param attachByBtf the kernel resolves the target by BTF id at load time (fentry, fexit, lsm, tp_btf, iter, ...)
 */
public record ProgramSection(String sectionName, String kind, ProgramType type, AttachType attachType, String target,
                             boolean sleepable, boolean xdpFrags, boolean attachByBtf) {


    private static final int NONE = 0, SLEEPABLE = 1, FRAGS = 2, BTF = 4;

    /**
     * One naming convention. A pattern ending in {@code +} matches the exact word or the word followed by
     * {@code /target}; one ending in {@code /} needs a target; any other pattern must match exactly.
     */
    private record Rule(String pattern, ProgramType type, AttachType attachType, int flags) {
        String kind() {
            char last = pattern.charAt(pattern.length() - 1);
            return last == '+' || last == '/' ? pattern.substring(0, pattern.length() - 1) : pattern;
        }

        /** The target if the name matches ("" when it matches without one), else null. */
        String match(String name) {
            char last = pattern.charAt(pattern.length() - 1);
            if (last == '+') {
                String word = pattern.substring(0, pattern.length() - 1);
                if (name.equals(word)) return "";
                return name.startsWith(word + "/") ? name.substring(word.length() + 1) : null;
            }
            if (last == '/') return name.startsWith(pattern) ? name.substring(pattern.length()) : null;
            return name.equals(pattern) ? "" : null;
        }
    }

    private static Rule rule(String pattern, ProgramType type, AttachType attachType, int flags) {
        return new Rule(pattern, type, attachType, flags);
    }

    private static final List<Rule> RULES = List.of(
            rule("socket", ProgramType.SOCKET_FILTER, null, NONE),
            rule("sk_reuseport/migrate", ProgramType.SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT_OR_MIGRATE, NONE),
            rule("sk_reuseport", ProgramType.SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT, NONE),
            rule("kprobe+", ProgramType.KPROBE, null, NONE),
            rule("uprobe+", ProgramType.KPROBE, null, NONE),
            rule("uprobe.s+", ProgramType.KPROBE, null, SLEEPABLE),
            rule("kretprobe+", ProgramType.KPROBE, null, NONE),
            rule("uretprobe+", ProgramType.KPROBE, null, NONE),
            rule("uretprobe.s+", ProgramType.KPROBE, null, SLEEPABLE),
            rule("kprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_MULTI, NONE),
            rule("kretprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_MULTI, NONE),
            rule("kprobe.session+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_SESSION, NONE),
            rule("uprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI, NONE),
            rule("uretprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI, NONE),
            rule("uprobe.session+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_SESSION, NONE),
            rule("uprobe.multi.s+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI, SLEEPABLE),
            rule("uretprobe.multi.s+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI, SLEEPABLE),
            rule("uprobe.session.s+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_SESSION, SLEEPABLE),
            rule("ksyscall+", ProgramType.KPROBE, null, NONE),
            rule("kretsyscall+", ProgramType.KPROBE, null, NONE),
            rule("usdt+", ProgramType.KPROBE, null, NONE),
            rule("usdt.s+", ProgramType.KPROBE, null, SLEEPABLE),
            // libbpf treats tc/ingress and tc/egress as aliases of tcx.
            rule("tc/ingress", ProgramType.SCHED_CLS, AttachType.TCX_INGRESS, NONE),
            rule("tc/egress", ProgramType.SCHED_CLS, AttachType.TCX_EGRESS, NONE),
            rule("tcx/ingress", ProgramType.SCHED_CLS, AttachType.TCX_INGRESS, NONE),
            rule("tcx/egress", ProgramType.SCHED_CLS, AttachType.TCX_EGRESS, NONE),
            rule("tc", ProgramType.SCHED_CLS, null, NONE),
            rule("classifier", ProgramType.SCHED_CLS, null, NONE),
            rule("action", ProgramType.SCHED_ACT, null, NONE),
            rule("netkit/primary", ProgramType.SCHED_CLS, AttachType.NETKIT_PRIMARY, NONE),
            rule("netkit/peer", ProgramType.SCHED_CLS, AttachType.NETKIT_PEER, NONE),
            rule("tracepoint+", ProgramType.TRACEPOINT, null, NONE),
            rule("tp+", ProgramType.TRACEPOINT, null, NONE),
            rule("tracepoint.s+", ProgramType.TRACEPOINT, null, SLEEPABLE),
            rule("tp.s+", ProgramType.TRACEPOINT, null, SLEEPABLE),
            rule("raw_tracepoint+", ProgramType.RAW_TRACEPOINT, null, NONE),
            rule("raw_tp+", ProgramType.RAW_TRACEPOINT, null, NONE),
            rule("raw_tracepoint.s+", ProgramType.RAW_TRACEPOINT, null, SLEEPABLE),
            rule("raw_tp.s+", ProgramType.RAW_TRACEPOINT, null, SLEEPABLE),
            rule("raw_tracepoint.w+", ProgramType.RAW_TRACEPOINT_WRITABLE, null, NONE),
            rule("raw_tp.w+", ProgramType.RAW_TRACEPOINT_WRITABLE, null, NONE),
            rule("tp_btf+", ProgramType.TRACING, AttachType.TRACE_RAW_TP, BTF),
            rule("tp_btf.s+", ProgramType.TRACING, AttachType.TRACE_RAW_TP, BTF | SLEEPABLE),
            rule("fentry+", ProgramType.TRACING, AttachType.TRACE_FENTRY, BTF),
            rule("fmod_ret+", ProgramType.TRACING, AttachType.MODIFY_RETURN, BTF),
            rule("fexit+", ProgramType.TRACING, AttachType.TRACE_FEXIT, BTF),
            rule("fentry.s+", ProgramType.TRACING, AttachType.TRACE_FENTRY, BTF | SLEEPABLE),
            rule("fmod_ret.s+", ProgramType.TRACING, AttachType.MODIFY_RETURN, BTF | SLEEPABLE),
            rule("fexit.s+", ProgramType.TRACING, AttachType.TRACE_FEXIT, BTF | SLEEPABLE),
            rule("freplace+", ProgramType.EXT, null, BTF),
            rule("lsm+", ProgramType.LSM, AttachType.LSM_MAC, BTF),
            rule("lsm.s+", ProgramType.LSM, AttachType.LSM_MAC, BTF | SLEEPABLE),
            rule("lsm_cgroup+", ProgramType.LSM, AttachType.LSM_CGROUP, BTF),
            rule("iter+", ProgramType.TRACING, AttachType.TRACE_ITER, BTF),
            rule("iter.s+", ProgramType.TRACING, AttachType.TRACE_ITER, BTF | SLEEPABLE),
            rule("syscall", ProgramType.SYSCALL, null, SLEEPABLE),
            rule("xdp.frags/devmap", ProgramType.XDP, AttachType.XDP_DEVMAP, FRAGS),
            rule("xdp/devmap", ProgramType.XDP, AttachType.XDP_DEVMAP, NONE),
            rule("xdp.frags/cpumap", ProgramType.XDP, AttachType.XDP_CPUMAP, FRAGS),
            rule("xdp/cpumap", ProgramType.XDP, AttachType.XDP_CPUMAP, NONE),
            rule("xdp.frags", ProgramType.XDP, AttachType.XDP, FRAGS),
            rule("xdp", ProgramType.XDP, AttachType.XDP, NONE),
            rule("perf_event", ProgramType.PERF_EVENT, null, NONE),
            rule("lwt_in", ProgramType.LWT_IN, null, NONE),
            rule("lwt_out", ProgramType.LWT_OUT, null, NONE),
            rule("lwt_xmit", ProgramType.LWT_XMIT, null, NONE),
            rule("lwt_seg6local", ProgramType.LWT_SEG6LOCAL, null, NONE),
            rule("sockops", ProgramType.SOCK_OPS, AttachType.CGROUP_SOCK_OPS, NONE),
            rule("sk_skb/stream_parser", ProgramType.SK_SKB, AttachType.SK_SKB_STREAM_PARSER, NONE),
            rule("sk_skb/stream_verdict", ProgramType.SK_SKB, AttachType.SK_SKB_STREAM_VERDICT, NONE),
            rule("sk_skb/verdict", ProgramType.SK_SKB, AttachType.SK_SKB_VERDICT, NONE),
            rule("sk_skb", ProgramType.SK_SKB, null, NONE),
            rule("sk_msg", ProgramType.SK_MSG, AttachType.SK_MSG_VERDICT, NONE),
            rule("lirc_mode2", ProgramType.LIRC_MODE2, AttachType.LIRC_MODE2, NONE),
            rule("flow_dissector", ProgramType.FLOW_DISSECTOR, AttachType.FLOW_DISSECTOR, NONE),
            rule("cgroup_skb/ingress", ProgramType.CGROUP_SKB, AttachType.CGROUP_INET_INGRESS, NONE),
            rule("cgroup_skb/egress", ProgramType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS, NONE),
            rule("cgroup/skb", ProgramType.CGROUP_SKB, null, NONE),
            rule("cgroup/sock_create", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE, NONE),
            rule("cgroup/sock_release", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_RELEASE, NONE),
            rule("cgroup/sock", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE, NONE),
            rule("cgroup/post_bind4", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET4_POST_BIND, NONE),
            rule("cgroup/post_bind6", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET6_POST_BIND, NONE),
            rule("cgroup/bind4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND, NONE),
            rule("cgroup/bind6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_BIND, NONE),
            rule("cgroup/connect4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT, NONE),
            rule("cgroup/connect6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_CONNECT, NONE),
            rule("cgroup/connect_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_CONNECT, NONE),
            rule("cgroup/sendmsg4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_SENDMSG, NONE),
            rule("cgroup/sendmsg6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_SENDMSG, NONE),
            rule("cgroup/sendmsg_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_SENDMSG, NONE),
            rule("cgroup/recvmsg4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_RECVMSG, NONE),
            rule("cgroup/recvmsg6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_RECVMSG, NONE),
            rule("cgroup/recvmsg_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_RECVMSG, NONE),
            rule("cgroup/getpeername4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETPEERNAME, NONE),
            rule("cgroup/getpeername6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETPEERNAME, NONE),
            rule("cgroup/getpeername_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_GETPEERNAME, NONE),
            rule("cgroup/getsockname4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETSOCKNAME, NONE),
            rule("cgroup/getsockname6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETSOCKNAME, NONE),
            rule("cgroup/getsockname_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_GETSOCKNAME, NONE),
            rule("cgroup/sysctl", ProgramType.CGROUP_SYSCTL, AttachType.CGROUP_SYSCTL, NONE),
            rule("cgroup/getsockopt", ProgramType.CGROUP_SOCKOPT, AttachType.CGROUP_GETSOCKOPT, NONE),
            rule("cgroup/setsockopt", ProgramType.CGROUP_SOCKOPT, AttachType.CGROUP_SETSOCKOPT, NONE),
            rule("cgroup/dev", ProgramType.CGROUP_DEVICE, AttachType.CGROUP_DEVICE, NONE),
            rule("struct_ops+", ProgramType.STRUCT_OPS, null, NONE),
            rule("struct_ops.s+", ProgramType.STRUCT_OPS, null, SLEEPABLE),
            rule("sk_lookup", ProgramType.SK_LOOKUP, AttachType.SK_LOOKUP, NONE),
            rule("netfilter", ProgramType.NETFILTER, AttachType.NETFILTER, NONE));

    /** The conventions this table knows, e.g. {@code "kprobe+"}, {@code "xdp/devmap"}: for error messages. */
    public static List<String> knownPatterns() {
        return RULES.stream().map(Rule::pattern).toList();
    }

    /** Interprets a section name; empty if it follows no known convention. */
    public static Optional<ProgramSection> parse(String sectionName) {
        for (Rule rule : RULES) {
            String target = rule.match(sectionName);
            if (target == null) continue;
            return Optional.of(new ProgramSection(sectionName, rule.kind(), rule.type(), rule.attachType(),
                    target.isEmpty() ? null : target, (rule.flags() & SLEEPABLE) != 0, (rule.flags() & FRAGS) != 0,
                    (rule.flags() & BTF) != 0));
        }
        return Optional.empty();
    }

    /** The {@code prog_flags} these conventions imply. */
    public int programFlags() {
        return (sleepable ? BpfFlags.BPF_F_SLEEPABLE : 0) | (xdpFrags ? BpfFlags.BPF_F_XDP_HAS_FRAGS : 0);
    }
}
