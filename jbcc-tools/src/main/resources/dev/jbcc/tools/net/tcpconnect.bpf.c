// jbcc tcpconnect: active TCP opens. The socket's move to SYN_SENT (inside connect(), so the
// task is the caller) carries the addresses and destination port; the local port is chosen
// after it, so the event is sent when that connect() returns, with the port read from the socket.
// container_filtered(): the kit's --cgroupmap/--mntnsmap test (Containers).
// Defines: FILTER_PID, FILTER_UID (-1: any), FILTER_FAMILY (0: any), DPORT_OK (a test of dport).
struct conn_t {
    u64 ts_us;
    u32 pid;
    u32 uid;
    u64 sk;
    u16 family;
    u16 lport;
    u16 dport;
    u8 saddr[16];
    u8 daddr[16];
    char comm[TASK_COMM_LEN];
};

BPF_TABLE("lru_hash", u32, struct conn_t, connecting, 4096);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(sock, inet_sock_set_state)
{
    if (args->protocol != IPPROTO_TCP || args->newstate != TCP_SYN_SENT)
        return 0;
    u16 family = args->family;
    if (FILTER_FAMILY && family != FILTER_FAMILY)
        return 0;
    u16 dport = args->dport;
    if (!(DPORT_OK))
        return 0;
    u64 id = bpf_get_current_pid_tgid();
    u32 pid = id >> 32, tid = (u32)id;
    if (FILTER_PID >= 0 && pid != FILTER_PID)
        return 0;
    u32 uid = (u32)bpf_get_current_uid_gid();
    if (FILTER_UID >= 0 && uid != FILTER_UID)
        return 0;
    if (container_filtered())
        return 0;
    struct conn_t c = {};
    c.ts_us = bpf_ktime_get_ns() / 1000;
    c.pid = pid;
    c.uid = uid;
    c.sk = (u64)args->skaddr;
    c.family = family;
    c.dport = dport;
    TP_ADDRESSES(args, family, c.saddr, c.daddr);
    bpf_get_current_comm(&c.comm, sizeof(c.comm));
    connecting.update(&tid, &c);
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_connect)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct conn_t *c = connecting.lookup(&tid);
    if (!c)
        return 0;
    struct sock *sk = (struct sock *)c->sk;
    u16 lport = 0;
    bpf_probe_read_kernel(&lport, sizeof(lport), &sk->__sk_common.skc_num);
    c->lport = lport;
    events.perf_submit(args, c, sizeof(*c));
    connecting.delete(&tid);
    return 0;
}
