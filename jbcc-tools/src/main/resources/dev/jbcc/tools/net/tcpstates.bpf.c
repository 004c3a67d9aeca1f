// jbcc tcpstates: every TCP state change, with the time spent in the state it leaves (since the
// socket's previous change seen). The task is whichever was on the CPU.
// Defines: FILTER_FAMILY (0: any), LPORT_OK, DPORT_OK (tests of lport, dport).
struct change_t {
    u64 skaddr;
    u64 ts_us;
    u64 delta_us;
    u32 pid;
    int oldstate;
    int newstate;
    u16 family;
    u16 lport;
    u16 dport;
    u8 saddr[16];
    u8 daddr[16];
    char comm[TASK_COMM_LEN];
};

BPF_HASH(last, u64, u64, 10240);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(sock, inet_sock_set_state)
{
    if (args->protocol != IPPROTO_TCP)
        return 0;
    u64 sk = (u64)args->skaddr;
    u16 family = args->family;
    u16 lport = args->sport, dport = args->dport;
    if ((FILTER_FAMILY && family != FILTER_FAMILY) || !(LPORT_OK) || !(DPORT_OK)) {
        last.delete(&sk);
        return 0;
    }
    u64 now = bpf_ktime_get_ns();
    u64 *then = last.lookup(&sk);
    struct change_t c = {};
    c.skaddr = sk;
    c.ts_us = now / 1000;
    c.delta_us = then ? (now - *then) / 1000 : 0;
    c.pid = bpf_get_current_pid_tgid() >> 32;
    c.oldstate = args->oldstate;
    c.newstate = args->newstate;
    c.family = family;
    c.lport = lport;
    c.dport = dport;
    TP_ADDRESSES(args, family, c.saddr, c.daddr);
    bpf_get_current_comm(&c.comm, sizeof(c.comm));
    events.perf_submit(args, &c, sizeof(c));
    if (c.newstate == TCP_CLOSE)
        last.delete(&sk);
    else
        last.update(&sk, &now);
    return 0;
}
