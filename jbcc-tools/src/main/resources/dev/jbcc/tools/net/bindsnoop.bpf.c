// jbcc bindsnoop: bind(2) on IP sockets. The descriptor is kept per thread at the call's entry;
// when it returns, its sock (sock_of_fd) gives the protocol, the bound address and port (chosen
// by the kernel for port 0), the bound interface and the options set on it, each option a bit the
// tool located in this kernel's BTF (the *_BIT defines, -1 where the kernel has none).
// container_filtered(): the kit's --cgroupmap/--mntnsmap test (Containers).
// Defines: FILTER_PID, FILTER_UID (-1: any), PORT_OK (a test of port), ERRORS (failed binds too),
// FREEBIND_BIT, TRANSPARENT_BIT, NOPORT_BIT, REUSE_BIT, REUSEPORT_BIT.
struct bind_t {
    u64 ts_us;
    u32 pid;
    u32 uid;
    int ret;
    int dev_if;
    u16 family;
    u16 port;
    u16 rport;
    u16 protocol;
    u8 opts;
    u8 addr[16];
    u8 raddr[16];
    char comm[TASK_COMM_LEN];
};

BPF_HASH(binding, u32, int, 4096);
BPF_PERF_OUTPUT(events);

static __always_inline u8 bit_at(struct sock *sk, int bit)
{
    u8 byte = 0;
    if (bit < 0)
        return 0;
    bpf_probe_read_kernel(&byte, 1, (u8 *)sk + bit / 8);
    return byte >> (bit % 8) & 1;
}

TRACEPOINT_PROBE(syscalls, sys_enter_bind)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    if (FILTER_UID >= 0 && (u32)bpf_get_current_uid_gid() != FILTER_UID)
        return 0;
    if (container_filtered())
        return 0;
    u32 tid = (u32)id;
    int fd = args->fd;
    binding.update(&tid, &fd);
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_bind)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    int *fd = binding.lookup(&tid);
    if (!fd)
        return 0;
    struct sock *sk = sock_of_fd(*fd);
    binding.delete(&tid);
    int ret = args->ret;
    if (!sk || (!ERRORS && ret != 0))
        return 0;
    struct bind_t b = {};
    b.family = sock_ends(sk, b.addr, b.raddr, &b.port, &b.rport);
    if (!b.family)
        return 0;
    u16 port = b.port;
    if (!(PORT_OK))
        return 0;
    b.ts_us = bpf_ktime_get_ns() / 1000;
    b.pid = id >> 32;
    b.uid = (u32)bpf_get_current_uid_gid();
    b.ret = ret;
    bpf_probe_read_kernel(&b.protocol, sizeof(b.protocol), &sk->sk_protocol);
    bpf_probe_read_kernel(&b.dev_if, sizeof(b.dev_if), &sk->__sk_common.skc_bound_dev_if);
    b.opts = bit_at(sk, FREEBIND_BIT) | bit_at(sk, TRANSPARENT_BIT) << 1 | bit_at(sk, NOPORT_BIT) << 2
            | bit_at(sk, REUSE_BIT) << 3 | bit_at(sk, REUSEPORT_BIT) << 4;
    bpf_get_current_comm(&b.comm, sizeof(b.comm));
    events.perf_submit(args, &b, sizeof(b));
    return 0;
}
