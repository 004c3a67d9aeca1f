// jbcc tcpsynbl: the listen backlog each new TCP connection finds, as a histogram per backlog
// limit. HOOK_KPROBE: tcp_v4/v6_syn_recv_sock (the listener, before the connection is queued), as
// bcc; HOOK_TRACEPOINT (6.6 on): sock:sk_data_ready on a listener, called right after the new
// connection was queued, so the backlog it found is one less.
// Defines: FILTER_FAMILY (0: any; the kprobe variant attaches to that family's function only).
struct key_t {
    u64 backlog_max;
    u64 slot;
};

BPF_HISTOGRAM(dist, struct key_t);

static __always_inline void count(struct sock *sk, u32 queued)
{
    u32 backlog = 0, max = 0;
    bpf_probe_read_kernel(&backlog, sizeof(backlog), &sk->sk_ack_backlog);
    bpf_probe_read_kernel(&max, sizeof(max), &sk->sk_max_ack_backlog);
    if (queued && backlog > 0)
        backlog--;
    struct key_t key = {.backlog_max = max, .slot = bpf_log2l(backlog)};
    dist.atomic_increment(key);
}

#ifdef HOOK_KPROBE
int syn_recv_sock(struct pt_regs *ctx, struct sock *sk)
{
    count(sk, 0);
    return 0;
}
#else
TRACEPOINT_PROBE(sock, sk_data_ready)
{
    if (args->protocol != IPPROTO_TCP || (FILTER_FAMILY && args->family != FILTER_FAMILY))
        return 0;
    struct sock *sk = (struct sock *)args->skaddr;
    u8 state = 0;
    bpf_probe_read_kernel(&state, sizeof(state), &sk->__sk_common.skc_state);
    if (state == TCP_LISTEN)
        count(sk, 1);
    return 0;
}
#endif
