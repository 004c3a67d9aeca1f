// jbcc tcptracer: TCP connections as they are established (connect: C, accept: A) and closed (X),
// all from the sock:inet_sock_set_state tracepoint and accept's return:
// - C: a socket's move CLOSE -> SYN_SENT happens inside connect(), so the task is the caller; it
//   is remembered until the socket reaches ESTABLISHED (often in a softirq), which sends the event.
// - A: accept(2)/accept4(2) return the new descriptor in the accepting task; its sock has both ends.
// - X: the first move out of ESTABLISHED or CLOSE_WAIT other than the peer's FIN (to FIN_WAIT1,
//   LAST_ACK or CLOSE): close() in the task that closes, or a reset. The task shown is the one the
//   connection was opened or accepted by where it was seen, else the one on the CPU.
// container_filtered(): the kit's --cgroupmap/--mntnsmap test (Containers).
// Defines: FILTER_PID (-1: any), FILTER_NETNS (0: any), FILTER_FAMILY (0: any).
#define TYPE_CONNECT 1
#define TYPE_ACCEPT 2
#define TYPE_CLOSE 3

struct owner_t {
    u32 pid;
    char comm[TASK_COMM_LEN];
};

struct event_t {
    u64 ts_ns;
    u32 pid;
    u32 netns;
    u16 type;
    u16 family;
    u16 sport;
    u16 dport;
    u8 saddr[16];
    u8 daddr[16];
    char comm[TASK_COMM_LEN];
};

BPF_HASH(connecting, u64, struct owner_t, 4096);
BPF_HASH(owners, u64, struct owner_t, 10240);
BPF_PERF_OUTPUT(events);

static __always_inline u32 netns_of(struct sock *sk)
{
    struct net *net = NULL;
    u32 inum = 0;
    bpf_probe_read_kernel(&net, sizeof(net), &sk->__sk_common.skc_net.net);
    if (net)
        bpf_probe_read_kernel(&inum, sizeof(inum), &net->ns.inum);
    return inum;
}

static __always_inline void current_owner(struct owner_t *o)
{
    o->pid = bpf_get_current_pid_tgid() >> 32;
    bpf_get_current_comm(&o->comm, sizeof(o->comm));
}

static __always_inline void send(void *ctx, struct event_t *e, u16 type, struct owner_t *o)
{
    e->ts_ns = bpf_ktime_get_ns();
    e->type = type;
    e->pid = o->pid;
    __builtin_memcpy(e->comm, o->comm, sizeof(e->comm));
    events.perf_submit(ctx, e, sizeof(*e));
}

TRACEPOINT_PROBE(sock, inet_sock_set_state)
{
    if (args->protocol != IPPROTO_TCP)
        return 0;
    u64 sk = (u64)args->skaddr;
    int oldstate = args->oldstate, newstate = args->newstate;
    u16 family = args->family;
    if (FILTER_FAMILY && family != FILTER_FAMILY)
        return 0;
    if (newstate == TCP_SYN_SENT) {
        struct owner_t o = {};
        current_owner(&o);
        if ((FILTER_PID >= 0 && o.pid != FILTER_PID) || container_filtered())
            return 0;
        if (FILTER_NETNS && netns_of((struct sock *)sk) != FILTER_NETNS)
            return 0;
        connecting.update(&sk, &o);
        return 0;
    }
    struct event_t e = {};
    e.family = family;
    e.sport = args->sport;
    e.dport = args->dport;
    TP_ADDRESSES(args, family, e.saddr, e.daddr);
    if (oldstate == TCP_SYN_SENT) {
        struct owner_t *o = connecting.lookup(&sk);
        if (!o)
            return 0;
        struct owner_t c = *o;
        connecting.delete(&sk);
        if (newstate != TCP_ESTABLISHED)
            return 0;
        e.netns = netns_of((struct sock *)sk);
        owners.update(&sk, &c);
        send(args, &e, TYPE_CONNECT, &c);
        return 0;
    }
    int closing = (oldstate == TCP_ESTABLISHED && (newstate == TCP_FIN_WAIT1 || newstate == TCP_CLOSE))
            || (oldstate == TCP_CLOSE_WAIT && (newstate == TCP_LAST_ACK || newstate == TCP_CLOSE));
    if (!closing) {
        if (newstate == TCP_CLOSE)
            owners.delete(&sk);
        return 0;
    }
    e.netns = netns_of((struct sock *)sk);
    if (FILTER_NETNS && e.netns != FILTER_NETNS)
        return 0;
    struct owner_t o = {};
    struct owner_t *known = owners.lookup(&sk);
    if (known) {
        o = *known;
        owners.delete(&sk);
    } else {
        current_owner(&o);
        if (container_filtered())
            return 0;
    }
    if (FILTER_PID >= 0 && o.pid != FILTER_PID)
        return 0;
    send(args, &e, TYPE_CLOSE, &o);
    return 0;
}

static __always_inline int accepted(void *ctx, long fd)
{
    struct owner_t o = {};
    current_owner(&o);
    if ((FILTER_PID >= 0 && o.pid != FILTER_PID) || container_filtered())
        return 0;
    struct sock *sk = tcp_sock_of_fd(fd);
    if (!sk)
        return 0;
    struct event_t e = {};
    e.family = sock_ends(sk, e.saddr, e.daddr, &e.sport, &e.dport);
    if (!e.family || (FILTER_FAMILY && e.family != FILTER_FAMILY))
        return 0;
    e.netns = netns_of(sk);
    if (FILTER_NETNS && e.netns != FILTER_NETNS)
        return 0;
    u64 key = (u64)sk;
    owners.update(&key, &o);
    send(ctx, &e, TYPE_ACCEPT, &o);
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
