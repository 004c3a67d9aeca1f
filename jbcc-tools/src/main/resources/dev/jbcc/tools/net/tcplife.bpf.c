// jbcc tcplife: TCP sessions from birth to close, from the socket's state changes. Birth is the
// last change to a state before FIN_WAIT1; the owner is the task that moved the socket to
// SYN_SENT (connect) or LAST_ACK (close after the peer's); at CLOSE the session is sent with the
// bytes acknowledged and received that the tcp_sock counted.
// Defines: FILTER_PID (-1: any), FILTER_FAMILY (0: any), LPORT_OK, DPORT_OK (tests of lport, dport).
struct owner_t {
    u32 pid;
    char comm[TASK_COMM_LEN];
};

struct life_t {
    u64 ts_us;
    u64 span_us;
    u64 rx_b;
    u64 tx_b;
    u32 pid;
    u16 family;
    u16 lport;
    u16 dport;
    u8 saddr[16];
    u8 daddr[16];
    char comm[TASK_COMM_LEN];
};

BPF_HASH(birth, u64, u64, 10240);
BPF_HASH(owner, u64, struct owner_t, 10240);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(sock, inet_sock_set_state)
{
    if (args->protocol != IPPROTO_TCP)
        return 0;
    u64 sk = (u64)args->skaddr;
    u16 family = args->family;
    u16 lport = args->sport, dport = args->dport;
    if ((FILTER_FAMILY && family != FILTER_FAMILY) || !(LPORT_OK) || !(DPORT_OK)) {
        // the ports are known from SYN_SENT on; a session they leave out is forgotten
        if (lport != 0) {
            birth.delete(&sk);
            owner.delete(&sk);
        }
        return 0;
    }
    int state = args->newstate;
    if (state < TCP_FIN_WAIT1) {
        u64 ts = bpf_ktime_get_ns();
        birth.update(&sk, &ts);
    }
    if (state == TCP_SYN_SENT || state == TCP_LAST_ACK) {
        struct owner_t me = {.pid = bpf_get_current_pid_tgid() >> 32};
        bpf_get_current_comm(&me.comm, sizeof(me.comm));
        owner.update(&sk, &me);
    }
    if (state != TCP_CLOSE)
        return 0;
    u64 *born = birth.lookup(&sk);
    if (!born) {
        owner.delete(&sk);
        return 0;
    }
    struct life_t l = {};
    u64 now = bpf_ktime_get_ns();
    l.ts_us = now / 1000;
    l.span_us = (now - *born) / 1000;
    struct owner_t *who = owner.lookup(&sk);
    if (who) {
        l.pid = who->pid;
        __builtin_memcpy(l.comm, who->comm, sizeof(l.comm));
    } else {
        l.pid = bpf_get_current_pid_tgid() >> 32;
        bpf_get_current_comm(&l.comm, sizeof(l.comm));
    }
    birth.delete(&sk);
    owner.delete(&sk);
    if (FILTER_PID >= 0 && l.pid != FILTER_PID)
        return 0;
    struct tcp_sock *tp = (struct tcp_sock *)sk;
    bpf_probe_read_kernel(&l.rx_b, sizeof(l.rx_b), &tp->bytes_received);
    bpf_probe_read_kernel(&l.tx_b, sizeof(l.tx_b), &tp->bytes_acked);
    l.family = family;
    l.lport = lport;
    l.dport = dport;
    TP_ADDRESSES(args, family, l.saddr, l.daddr);
    events.perf_submit(args, &l, sizeof(l));
    return 0;
}
