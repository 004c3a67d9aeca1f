// jbcc tcpaccept: passive TCP opens, as accept(2) and accept4(2) return them. The new descriptor
// leads to the socket (sock_of_fd), which holds the addresses and ports; the task is the one
// that accepted.
// container_filtered(): the kit's --cgroupmap/--mntnsmap test (Containers).
// Defines: FILTER_PID (-1: any), FILTER_FAMILY (0: any), LPORT_OK (a test of lport).
struct accept_t {
    u64 ts_us;
    u32 pid;
    u16 family;
    u16 lport;
    u16 rport;
    u8 laddr[16];
    u8 raddr[16];
    char comm[TASK_COMM_LEN];
};

BPF_PERF_OUTPUT(events);

static __always_inline int accepted(void *ctx, long fd)
{
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    if ((FILTER_PID >= 0 && pid != FILTER_PID) || container_filtered())
        return 0;
    struct sock *sk = tcp_sock_of_fd(fd);
    if (!sk)
        return 0;
    struct accept_t a = {};
    a.family = sock_ends(sk, a.laddr, a.raddr, &a.lport, &a.rport);
    if (!a.family || (FILTER_FAMILY && a.family != FILTER_FAMILY))
        return 0;
    u16 lport = a.lport;
    if (!(LPORT_OK))
        return 0;
    a.ts_us = bpf_ktime_get_ns() / 1000;
    a.pid = pid;
    bpf_get_current_comm(&a.comm, sizeof(a.comm));
    events.perf_submit(ctx, &a, sizeof(a));
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_accept4)
{
    return accepted(args, args->ret);
}

TRACEPOINT_PROBE(syscalls, sys_exit_accept)
{
    return accepted(args, args->ret);
}
