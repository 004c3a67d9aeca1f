// jbcc tcpdrop: TCP segments the kernel dropped, from skb:kfree_skb with a drop reason. The
// addresses, ports and flags come from the packet's own IP and TCP headers, the state from the
// socket it belonged to (none for a segment no socket wanted), and the kernel stack of the drop.
// Defines: FILTER_FAMILY (0: any).
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

struct drop_t {
    u32 pid;
    int stack_id;
    u32 reason;
    u8 state;
    u8 flags;
    u16 family;
    u16 sport;
    u16 dport;
    u8 saddr[16];
    u8 daddr[16];
};

BPF_STACK_TRACE(stacks, 2048);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(skb, kfree_skb)
{
    if (args->reason <= SKB_DROP_REASON_NOT_SPECIFIED)
        return 0;
    u16 family = args->protocol == ETH_P_IP ? AF_INET : args->protocol == ETH_P_IPV6 ? AF_INET6 : 0;
    if (!family || (FILTER_FAMILY && family != FILTER_FAMILY))
        return 0;
    struct sk_buff *skb = (struct sk_buff *)args->skbaddr;
    unsigned char *head = NULL;
    u16 network = 0, transport = 0;
    bpf_probe_read_kernel(&head, sizeof(head), &skb->head);
    bpf_probe_read_kernel(&network, sizeof(network), &skb->network_header);
    bpf_probe_read_kernel(&transport, sizeof(transport), &skb->transport_header);
    if (!head || transport == 0xffff || transport <= network)
        return 0;
    struct drop_t d = {};
    u8 protocol = 0;
    if (family == AF_INET) {
        struct iphdr *ip = (struct iphdr *)(head + network);
        bpf_probe_read_kernel(&protocol, 1, &ip->protocol);
        bpf_probe_read_kernel(d.saddr, 4, &ip->saddr);
        bpf_probe_read_kernel(d.daddr, 4, &ip->daddr);
    } else {
        struct ipv6hdr *ip6 = (struct ipv6hdr *)(head + network);
        bpf_probe_read_kernel(&protocol, 1, &ip6->nexthdr);
        bpf_probe_read_kernel(d.saddr, 16, &ip6->saddr);
        bpf_probe_read_kernel(d.daddr, 16, &ip6->daddr);
    }
    if (protocol != IPPROTO_TCP)
        return 0;
    struct tcphdr *tcp = (struct tcphdr *)(head + transport);
    u16 sport = 0, dport = 0;
    bpf_probe_read_kernel(&sport, 2, &tcp->source);
    bpf_probe_read_kernel(&dport, 2, &tcp->dest);
    bpf_probe_read_kernel(&d.flags, 1, (u8 *)tcp + 13);
    struct sock *sk = NULL;
    bpf_probe_read_kernel(&sk, sizeof(sk), &skb->sk);
    if (sk)
        bpf_probe_read_kernel(&d.state, 1, &sk->__sk_common.skc_state);
    d.pid = bpf_get_current_pid_tgid() >> 32;
    d.reason = args->reason;
    d.family = family;
    d.sport = bpf_ntohs(sport);
    d.dport = bpf_ntohs(dport);
    d.stack_id = stacks.get_stackid(args, 0);
    events.perf_submit(args, &d, sizeof(d));
    return 0;
}
