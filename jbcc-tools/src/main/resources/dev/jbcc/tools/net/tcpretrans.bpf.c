// jbcc tcpretrans: TCP retransmissions, from tcp:tcp_retransmit_skb, which carries the flow and
// its state (tail loss probes that resend a segment come this way too). With SEQUENCE the
// segment's first sequence number is read from the skb's TCP control block.
// Defines: FILTER_FAMILY (0: any), SEQUENCE.
struct retrans_t {
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
    r.pid = bpf_get_current_pid_tgid() >> 32;
    r.state = args->state;
    r.family = family;
    r.lport = args->sport;
    r.dport = args->dport;
    if (family == AF_INET) {
        __builtin_memcpy(r.saddr, args->saddr, 4);
        __builtin_memcpy(r.daddr, args->daddr, 4);
    } else {
        __builtin_memcpy(r.saddr, args->saddr_v6, 16);
        __builtin_memcpy(r.daddr, args->daddr_v6, 16);
    }
#if SEQUENCE
    struct sk_buff *skb = (struct sk_buff *)args->skbaddr;
    struct tcp_skb_cb *cb = (struct tcp_skb_cb *)skb->cb;
    bpf_probe_read_kernel(&r.seq, sizeof(r.seq), &cb->seq);
#endif
    events.perf_submit(args, &r, sizeof(r));
    return 0;
}
