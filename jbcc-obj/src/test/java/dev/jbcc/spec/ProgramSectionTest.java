package dev.jbcc.spec;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.*;

/** The section-name table, one parameterized test per group of conventions. Empty cells mean null. */
class ProgramSectionTest {

    static void check(String section, String kind, String type, String attach, String target, String flags) {
        ProgramSection p = ProgramSection.parse(section).orElseThrow(() -> new AssertionError("no match for " + section));
        assertEquals(section, p.sectionName());
        assertEquals(kind, p.kind(), section);
        assertEquals(ProgramType.valueOf(type), p.type(), section);
        assertEquals(attach == null ? null : AttachType.valueOf(attach), p.attachType(), section);
        assertEquals(target, p.target(), section);
        String f = flags == null ? "" : flags;
        assertEquals(f.contains("s"), p.sleepable(), section + " sleepable");
        assertEquals(f.contains("f"), p.xdpFrags(), section + " frags");
        assertEquals(f.contains("b"), p.attachByBtf(), section + " btf");
        assertEquals((f.contains("s") ? BpfFlags.BPF_F_SLEEPABLE : 0)
                | (f.contains("f") ? BpfFlags.BPF_F_XDP_HAS_FRAGS : 0), p.programFlags());
    }

    @ParameterizedTest
    @CsvSource({
            "kprobe/do_sys_openat2, kprobe, KPROBE, , do_sys_openat2, ",
            "kprobe/tcp_v4_connect+0x10, kprobe, KPROBE, , tcp_v4_connect+0x10, ",
            "kprobe, kprobe, KPROBE, , , ",
            "kretprobe/do_sys_openat2, kretprobe, KPROBE, , do_sys_openat2, ",
            "ksyscall/openat, ksyscall, KPROBE, , openat, ",
            "kretsyscall/openat, kretsyscall, KPROBE, , openat, ",
            "kprobe.multi/tcp_*, kprobe.multi, KPROBE, TRACE_KPROBE_MULTI, tcp_*, ",
            "kretprobe.multi/tcp_*, kretprobe.multi, KPROBE, TRACE_KPROBE_MULTI, tcp_*, ",
            "kprobe.session/vfs_read, kprobe.session, KPROBE, TRACE_KPROBE_SESSION, vfs_read, ",
    })
    void kprobes(String section, String kind, String type, String attach, String target, String flags) {
        check(section, kind, type, attach, target, flags);
    }

    @ParameterizedTest
    @CsvSource({
            "uprobe//bin/bash:readline, uprobe, KPROBE, , /bin/bash:readline, ",
            "uretprobe//bin/bash:readline, uretprobe, KPROBE, , /bin/bash:readline, ",
            "uprobe.s//usr/lib/libc.so.6:malloc, uprobe.s, KPROBE, , /usr/lib/libc.so.6:malloc, s",
            "uprobe.s, uprobe.s, KPROBE, , , s",
            "uretprobe.s, uretprobe.s, KPROBE, , , s",
            "uprobe.multi//lib/libc.so.6:str*, uprobe.multi, KPROBE, TRACE_UPROBE_MULTI, /lib/libc.so.6:str*, ",
            "uretprobe.multi, uretprobe.multi, KPROBE, TRACE_UPROBE_MULTI, , ",
            "uprobe.multi.s, uprobe.multi.s, KPROBE, TRACE_UPROBE_MULTI, , s",
            "usdt/libjvm.so:hotspot:thread__start, usdt, KPROBE, , libjvm.so:hotspot:thread__start, ",
            "usdt, usdt, KPROBE, , , ",
            "usdt.s, usdt.s, KPROBE, , , s",
    })
    void uprobesAndUsdt(String section, String kind, String type, String attach, String target, String flags) {
        check(section, kind, type, attach, target, flags);
    }

    @ParameterizedTest
    @CsvSource({
            "tracepoint/syscalls/sys_enter_openat, tracepoint, TRACEPOINT, , syscalls/sys_enter_openat, ",
            "tp/sched/sched_switch, tp, TRACEPOINT, , sched/sched_switch, ",
            "tp.s/syscalls/sys_enter_openat, tp.s, TRACEPOINT, , syscalls/sys_enter_openat, s",
            "raw_tracepoint/sched_switch, raw_tracepoint, RAW_TRACEPOINT, , sched_switch, ",
            "raw_tp/sched_switch, raw_tp, RAW_TRACEPOINT, , sched_switch, ",
            "raw_tp.w/sched_switch, raw_tp.w, RAW_TRACEPOINT_WRITABLE, , sched_switch, ",
            "raw_tracepoint.w/sched_switch, raw_tracepoint.w, RAW_TRACEPOINT_WRITABLE, , sched_switch, ",
            "tp_btf/sched_switch, tp_btf, TRACING, TRACE_RAW_TP, sched_switch, b",
            "perf_event, perf_event, PERF_EVENT, , , ",
    })
    void tracepoints(String section, String kind, String type, String attach, String target, String flags) {
        check(section, kind, type, attach, target, flags);
    }

    @ParameterizedTest
    @CsvSource({
            "fentry/do_sys_openat2, fentry, TRACING, TRACE_FENTRY, do_sys_openat2, b",
            "fexit/do_sys_openat2, fexit, TRACING, TRACE_FEXIT, do_sys_openat2, b",
            "fmod_ret/security_file_open, fmod_ret, TRACING, MODIFY_RETURN, security_file_open, b",
            "fentry.s/do_sys_openat2, fentry.s, TRACING, TRACE_FENTRY, do_sys_openat2, bs",
            "fexit.s/do_sys_openat2, fexit.s, TRACING, TRACE_FEXIT, do_sys_openat2, bs",
            "freplace/handler, freplace, EXT, , handler, b",
            "lsm/file_open, lsm, LSM, LSM_MAC, file_open, b",
            "lsm.s/bprm_committed_creds, lsm.s, LSM, LSM_MAC, bprm_committed_creds, bs",
            "lsm_cgroup/socket_bind, lsm_cgroup, LSM, LSM_CGROUP, socket_bind, b",
            "iter/task, iter, TRACING, TRACE_ITER, task, b",
            "iter.s/task_file, iter.s, TRACING, TRACE_ITER, task_file, bs",
            "syscall, syscall, SYSCALL, , , s",
            "struct_ops/tcp_init, struct_ops, STRUCT_OPS, , tcp_init, ",
            "struct_ops.s/init, struct_ops.s, STRUCT_OPS, , init, s",
    })
    void btfTracingLsmIter(String section, String kind, String type, String attach, String target, String flags) {
        check(section, kind, type, attach, target, flags);
    }

    @ParameterizedTest
    @CsvSource({
            "xdp, xdp, XDP, XDP, , ",
            "xdp.frags, xdp.frags, XDP, XDP, , f",
            "xdp/devmap, xdp/devmap, XDP, XDP_DEVMAP, , ",
            "xdp/cpumap, xdp/cpumap, XDP, XDP_CPUMAP, , ",
            "xdp.frags/devmap, xdp.frags/devmap, XDP, XDP_DEVMAP, , f",
            "tc, tc, SCHED_CLS, , , ",
            "tc/ingress, tc/ingress, SCHED_CLS, TCX_INGRESS, , ",
            "tc/egress, tc/egress, SCHED_CLS, TCX_EGRESS, , ",
            "tcx/ingress, tcx/ingress, SCHED_CLS, TCX_INGRESS, , ",
            "tcx/egress, tcx/egress, SCHED_CLS, TCX_EGRESS, , ",
            "classifier, classifier, SCHED_CLS, , , ",
            "action, action, SCHED_ACT, , , ",
            "netkit/primary, netkit/primary, SCHED_CLS, NETKIT_PRIMARY, , ",
            "socket, socket, SOCKET_FILTER, , , ",
            "sk_lookup, sk_lookup, SK_LOOKUP, SK_LOOKUP, , ",
            "sk_skb/stream_parser, sk_skb/stream_parser, SK_SKB, SK_SKB_STREAM_PARSER, , ",
            "sk_skb/stream_verdict, sk_skb/stream_verdict, SK_SKB, SK_SKB_STREAM_VERDICT, , ",
            "sk_skb, sk_skb, SK_SKB, , , ",
            "sk_msg, sk_msg, SK_MSG, SK_MSG_VERDICT, , ",
            "sockops, sockops, SOCK_OPS, CGROUP_SOCK_OPS, , ",
            "flow_dissector, flow_dissector, FLOW_DISSECTOR, FLOW_DISSECTOR, , ",
            "sk_reuseport, sk_reuseport, SK_REUSEPORT, SK_REUSEPORT_SELECT, , ",
            "netfilter, netfilter, NETFILTER, NETFILTER, , ",
            "lwt_xmit, lwt_xmit, LWT_XMIT, , , ",
    })
    void networking(String section, String kind, String type, String attach, String target, String flags) {
        check(section, kind, type, attach, target, flags);
    }

    @ParameterizedTest
    @CsvSource({
            "cgroup_skb/ingress, cgroup_skb/ingress, CGROUP_SKB, CGROUP_INET_INGRESS, , ",
            "cgroup_skb/egress, cgroup_skb/egress, CGROUP_SKB, CGROUP_INET_EGRESS, , ",
            "cgroup/skb, cgroup/skb, CGROUP_SKB, , , ",
            "cgroup/sock, cgroup/sock, CGROUP_SOCK, CGROUP_INET_SOCK_CREATE, , ",
            "cgroup/sock_create, cgroup/sock_create, CGROUP_SOCK, CGROUP_INET_SOCK_CREATE, , ",
            "cgroup/sock_release, cgroup/sock_release, CGROUP_SOCK, CGROUP_INET_SOCK_RELEASE, , ",
            "cgroup/post_bind4, cgroup/post_bind4, CGROUP_SOCK, CGROUP_INET4_POST_BIND, , ",
            "cgroup/post_bind6, cgroup/post_bind6, CGROUP_SOCK, CGROUP_INET6_POST_BIND, , ",
            "cgroup/bind4, cgroup/bind4, CGROUP_SOCK_ADDR, CGROUP_INET4_BIND, , ",
            "cgroup/connect4, cgroup/connect4, CGROUP_SOCK_ADDR, CGROUP_INET4_CONNECT, , ",
            "cgroup/connect6, cgroup/connect6, CGROUP_SOCK_ADDR, CGROUP_INET6_CONNECT, , ",
            "cgroup/connect_unix, cgroup/connect_unix, CGROUP_SOCK_ADDR, CGROUP_UNIX_CONNECT, , ",
            "cgroup/sendmsg4, cgroup/sendmsg4, CGROUP_SOCK_ADDR, CGROUP_UDP4_SENDMSG, , ",
            "cgroup/sendmsg6, cgroup/sendmsg6, CGROUP_SOCK_ADDR, CGROUP_UDP6_SENDMSG, , ",
            "cgroup/recvmsg4, cgroup/recvmsg4, CGROUP_SOCK_ADDR, CGROUP_UDP4_RECVMSG, , ",
            "cgroup/getpeername4, cgroup/getpeername4, CGROUP_SOCK_ADDR, CGROUP_INET4_GETPEERNAME, , ",
            "cgroup/getsockname6, cgroup/getsockname6, CGROUP_SOCK_ADDR, CGROUP_INET6_GETSOCKNAME, , ",
            "cgroup/getsockopt, cgroup/getsockopt, CGROUP_SOCKOPT, CGROUP_GETSOCKOPT, , ",
            "cgroup/setsockopt, cgroup/setsockopt, CGROUP_SOCKOPT, CGROUP_SETSOCKOPT, , ",
            "cgroup/sysctl, cgroup/sysctl, CGROUP_SYSCTL, CGROUP_SYSCTL, , ",
            "cgroup/dev, cgroup/dev, CGROUP_DEVICE, CGROUP_DEVICE, , ",
    })
    void cgroups(String section, String kind, String type, String attach, String target, String flags) {
        check(section, kind, type, attach, target, flags);
    }

    /** Names that look close to a convention but do not follow it ("xdp/" is neither "xdp" nor "xdp/devmap"). */
    @ParameterizedTest
    @ValueSource(strings = {"kprobes/x", "xdp_foo", "xdp/", "tcx", "cgroup/unknown", "tracepointx/a/b", ".text",
            "license", "sockops/extra", "iterx/task", "fentry.x/f"})
    void unknownNames(String section) {
        assertTrue(ProgramSection.parse(section).isEmpty(), section);
    }
}
