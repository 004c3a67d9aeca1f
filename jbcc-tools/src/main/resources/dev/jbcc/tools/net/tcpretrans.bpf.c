// jbcc tcpretrans: TCP retransmissions, from tcp:tcp_retransmit_skb, which carries the flow and
// its state (tail loss probes that resend a segment come this way too). With SEQUENCE the
// segment's first sequence number is read from the skb's TCP control block. With LOSSPROBE
// (needs kprobes) each tail loss probe is an event too, its flow read from the sock (sock_ends).
// Defines: FILTER_FAMILY (0: any), SEQUENCE, LOSSPROBE.
#define RETRANSMIT 1
#define TAIL_LOSS_PROBE 2
struct retrans_t {
    u32 type;
    u32 pid;
    u32 seq;
    int state;
    u16 family;
    u16 lport;
    u16 dport;
    u8 saddr[16];
    u8 daddr[16];
};

BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(tcp, tcp_retransmit_skb)
{
    u16 family = args->family;
    if (FILTER_FAMILY && family != FILTER_FAMILY)
        return 0;
    struct retrans_t r = {};
    r.type = RETRANSMIT;
    r.pid = bpf_get_current_pid_tgid() >> 32;
    r.state = args->state;
    r.family = family;
    r.lport = args->sport;
    r.dport = args->dport;
    TP_ADDRESSES(args, family, r.saddr, r.daddr);
#if SEQUENCE
    struct sk_buff *skb = (struct sk_buff *)args->skbaddr;
    struct tcp_skb_cb *cb = (struct tcp_skb_cb *)skb->cb;
    bpf_probe_read_kernel(&r.seq, sizeof(r.seq), &cb->seq);
#endif
    events.perf_submit(args, &r, sizeof(r));
    return 0;
}

#if LOSSPROBE
int kprobe__tcp_send_loss_probe(struct pt_regs *ctx, struct sock *sk)
{
    struct retrans_t r = {};
    u16 family = sock_ends(sk, r.saddr, r.daddr, &r.lport, &r.dport);
    if (!family || (FILTER_FAMILY && family != FILTER_FAMILY))
        return 0;
    u8 state = 0;
    bpf_probe_read_kernel(&state, sizeof(state), &sk->__sk_common.skc_state);
    r.type = TAIL_LOSS_PROBE;
    r.pid = bpf_get_current_pid_tgid() >> 32;
    r.state = state;
    r.family = family;
    events.perf_submit(ctx, &r, sizeof(r));
    return 0;
}
#endif
