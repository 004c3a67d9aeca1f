// jbcc solisten: sockets that start listening. listen(2)'s backlog is kept per thread at its
// entry; the socket's move to LISTEN inside it carries the family, port and address; the network
// namespace is the socket's.
// Defines: FILTER_PID (-1: any), FILTER_NETNS (0: any).
struct listen_t {
    u32 pid;
    u32 netns;
    int backlog;
    u16 family;
    u16 lport;
    u8 laddr[16];
    char comm[TASK_COMM_LEN];
};

BPF_HASH(backlogs, u32, int, 1024);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(syscalls, sys_enter_listen)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    u32 tid = (u32)id;
    int backlog = args->backlog;
    backlogs.update(&tid, &backlog);
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_listen)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    backlogs.delete(&tid);
    return 0;
}

TRACEPOINT_PROBE(sock, inet_sock_set_state)
{
    if (args->newstate != TCP_LISTEN || args->protocol != IPPROTO_TCP)
        return 0;
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    int *backlog = backlogs.lookup(&tid);
    if (!backlog)
        return 0;
    struct listen_t l = {};
    struct sock *sk = (struct sock *)args->skaddr;
    struct net *net = NULL;
    bpf_probe_read_kernel(&net, sizeof(net), &sk->__sk_common.skc_net.net);
    if (net)
        bpf_probe_read_kernel(&l.netns, sizeof(l.netns), &net->ns.inum);
    if (FILTER_NETNS && l.netns != FILTER_NETNS)
        return 0;
    l.pid = id >> 32;
    l.backlog = *backlog;
    l.family = args->family;
    l.lport = args->sport;
    if (l.family == AF_INET)
        __builtin_memcpy(l.laddr, args->saddr, 4);
    else
        __builtin_memcpy(l.laddr, args->saddr_v6, 16);
    bpf_get_current_comm(&l.comm, sizeof(l.comm));
    events.perf_submit(args, &l, sizeof(l));
    return 0;
}
