// jbcc tcpsubnet: bytes sent over IPv4 TCP (IPv4-mapped IPv6 included), summed per destination subnet (the first of the
// user's subnets that matches). Three ways in, whichever the kernel has: a kprobe or fentry on
// tcp_sendmsg (the size asked for), or the sock:sock_send_length tracepoint (the size sent).
// Defines: SUBNETS (how many entries of `subnets` are used), HOOK_*.
#define MAX_SUBNETS 32

struct subnet_t {
    u32 net;     // network byte order, already masked
    u32 mask;    // network byte order
};

BPF_ARRAY(subnets, struct subnet_t, MAX_SUBNETS);
BPF_ARRAY(sent, u64, MAX_SUBNETS);

static __always_inline void account(struct sock *sk, s64 size)
{
    if (size <= 0)
        return;
    u16 family = 0;
    u32 daddr = 0;
    bpf_probe_read_kernel(&family, sizeof(family), &sk->__sk_common.skc_family);
    if (family == AF_INET6) {
        // an IPv6 socket talking to an IPv4 peer (::ffff:a.b.c.d, as Java's sockets do by
        // default) counts as IPv4: the kernel keeps the IPv4 address in skc_daddr too
        u32 v6[4] = {};
        bpf_probe_read_kernel(v6, sizeof(v6), &sk->__sk_common.skc_v6_daddr);
        if (v6[0] || v6[1] || v6[2] != bpf_htonl(0xffff))
            return;
    } else if (family != AF_INET) {
        return;
    }
    bpf_probe_read_kernel(&daddr, sizeof(daddr), &sk->__sk_common.skc_daddr);
#pragma unroll
    for (u32 i = 0; i < MAX_SUBNETS; i++) {
        if (i >= SUBNETS)
            return;
        u32 key = i;     // a copy: taking i's address would keep clang from unrolling the loop
        struct subnet_t *s = subnets.lookup(&key);
        if (s && (daddr & s->mask) == s->net) {
            u64 *total = sent.lookup(&key);
            if (total)
                __sync_fetch_and_add(total, size);
            return;
        }
    }
}

#if defined(HOOK_KPROBE)
int kprobe__tcp_sendmsg(struct pt_regs *ctx, struct sock *sk, struct msghdr *msg, size_t size)
{
    account(sk, size);
    return 0;
}
#elif defined(HOOK_FENTRY)
KFUNC_PROBE(tcp_sendmsg, struct sock *sk, struct msghdr *msg, size_t size)
{
    account(sk, size);
    return 0;
}
#else
TRACEPOINT_PROBE(sock, sock_send_length)
{
    if (args->protocol != IPPROTO_TCP)
        return 0;
    account((struct sock *)args->sk, args->ret);
    return 0;
}
#endif
