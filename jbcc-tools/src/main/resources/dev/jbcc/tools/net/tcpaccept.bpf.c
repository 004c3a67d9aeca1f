// jbcc tcpaccept: passive TCP opens, as accept(2) and accept4(2) return them. The new descriptor
// leads to the socket (task -> files -> fd table -> file -> socket -> sock), which holds the
// addresses and ports; the task is the one that accepted.
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
    if (fd < 0)
        return 0;
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    if (FILTER_PID >= 0 && pid != FILTER_PID)
        return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct files_struct *files = NULL;
    struct fdtable *fdt = NULL;
    struct file **fds = NULL;
    struct file *file = NULL;
    struct socket *socket = NULL;
    struct sock *sk = NULL;
    bpf_probe_read_kernel(&files, sizeof(files), &task->files);
    if (!files)
        return 0;
    bpf_probe_read_kernel(&fdt, sizeof(fdt), &files->fdt);
    if (!fdt)
        return 0;
    bpf_probe_read_kernel(&fds, sizeof(fds), &fdt->fd);
    if (!fds)
        return 0;
    bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
    if (!file)
        return 0;
    bpf_probe_read_kernel(&socket, sizeof(socket), &file->private_data);
    if (!socket)
        return 0;
    bpf_probe_read_kernel(&sk, sizeof(sk), &socket->sk);
    if (!sk)
        return 0;
    u16 protocol = 0, family = 0, lport = 0, rport = 0;
    bpf_probe_read_kernel(&protocol, sizeof(protocol), &sk->sk_protocol);
    bpf_probe_read_kernel(&family, sizeof(family), &sk->__sk_common.skc_family);
    if (protocol != IPPROTO_TCP || (family != AF_INET && family != AF_INET6))
        return 0;
    if (FILTER_FAMILY && family != FILTER_FAMILY)
        return 0;
    bpf_probe_read_kernel(&lport, sizeof(lport), &sk->__sk_common.skc_num);
    if (!(LPORT_OK))
        return 0;
    bpf_probe_read_kernel(&rport, sizeof(rport), &sk->__sk_common.skc_dport);
    struct accept_t a = {};
    a.ts_us = bpf_ktime_get_ns() / 1000;
    a.pid = pid;
    a.family = family;
    a.lport = lport;
    a.rport = bpf_ntohs(rport);
    if (family == AF_INET) {
        bpf_probe_read_kernel(a.laddr, 4, &sk->__sk_common.skc_rcv_saddr);
        bpf_probe_read_kernel(a.raddr, 4, &sk->__sk_common.skc_daddr);
    } else {
        bpf_probe_read_kernel(a.laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
        bpf_probe_read_kernel(a.raddr, 16, &sk->__sk_common.skc_v6_daddr);
    }
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
