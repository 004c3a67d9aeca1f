// jbcc tcpconnlat: active TCP connect latency, from the socket's move to SYN_SENT (inside
// connect(), so the task is the caller) to its move on to ESTABLISHED when the peer answered.
// Defines: FILTER_PID (-1: any), MIN_US (0: all).
struct start_t {
    u64 ts;
    u32 pid;
    char comm[TASK_COMM_LEN];
};

struct lat_t {
    u64 ts_us;
    u64 delta_us;
    u32 pid;
    u16 family;
    u16 lport;
    u16 dport;
    u8 saddr[16];
    u8 daddr[16];
    char comm[TASK_COMM_LEN];
};

BPF_HASH(start, u64, struct start_t, 10240);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(sock, inet_sock_set_state)
{
    if (args->protocol != IPPROTO_TCP)
        return 0;
    u64 sk = (u64)args->skaddr;
    if (args->newstate == TCP_SYN_SENT) {
        struct start_t s = {.ts = bpf_ktime_get_ns(), .pid = bpf_get_current_pid_tgid() >> 32};
        if (FILTER_PID >= 0 && s.pid != FILTER_PID)
            return 0;
        bpf_get_current_comm(&s.comm, sizeof(s.comm));
        start.update(&sk, &s);
        return 0;
    }
    if (args->oldstate != TCP_SYN_SENT)
        return 0;
    struct start_t *s = start.lookup(&sk);
    if (!s)
        return 0;
    u64 now = bpf_ktime_get_ns();
    struct lat_t l = {};
    l.ts_us = now / 1000;
    l.delta_us = (now - s->ts) / 1000;
    l.pid = s->pid;
    __builtin_memcpy(l.comm, s->comm, sizeof(l.comm));
    int established = args->newstate == TCP_ESTABLISHED;
    start.delete(&sk);
    if (!established || l.delta_us < MIN_US)
        return 0;
    u16 family = args->family;
    l.family = family;
    l.lport = args->sport;
    l.dport = args->dport;
    TP_ADDRESSES(args, family, l.saddr, l.daddr);
    events.perf_submit(args, &l, sizeof(l));
    return 0;
}
