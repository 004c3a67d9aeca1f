// Packet programs for the XDP, TC and socket filter tests: the seed's "drop ICMP and count it"
// at each hook, plus programs that pass everything (for replace tests) and a socket filter that
// keeps only IPv4 ICMP. Packet and context layouts are uapi and never move, so vmlinux.h's
// preserve_access_index (CO-RE) is turned off here.
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

// #defines are not in BTF; enums (XDP_DROP, IPPROTO_ICMP, ...) are.
#define ETH_P_IP 0x0800
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

// Key: IP protocol; value: packets dropped.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u32);
} dropcnt SEC(".maps");

// Same pattern as the seed: is this an IPv4 ICMP packet? Counts it if so.
static __always_inline int count_icmp(void *data, void *data_end)
{
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return 0;
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return 0;
    struct iphdr *iph = (void *)(eth + 1);
    if ((void *)(iph + 1) > data_end)
        return 0;
    __u32 protocol = iph->protocol;
    if (protocol != IPPROTO_ICMP)
        return 0;
    __u32 zero = 0, *count = bpf_map_lookup_elem(&dropcnt, &protocol);
    if (!count) {
        bpf_map_update_elem(&dropcnt, &protocol, &zero, BPF_NOEXIST);
        count = bpf_map_lookup_elem(&dropcnt, &protocol);
        if (!count)
            return 0;
    }
    __sync_fetch_and_add(count, 1);
    return 1;
}

SEC("xdp")
int xdp_drop_icmp(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
    return count_icmp(data, data_end) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
    return XDP_PASS;
}

SEC("tc")
int tc_drop_icmp(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
    return count_icmp(data, data_end) ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int tc_pass(struct __sk_buff *skb)
{
    return TC_ACT_OK;
}

// Socket filters may not read skb->data directly: load the bytes through the helper. The offsets
// are from the Ethernet header, where a packet socket's frames start.
SEC("socket")
int icmp_only(struct __sk_buff *skb)
{
    __u16 proto;
    __u8 ipproto;
    if (bpf_skb_load_bytes(skb, offsetof(struct ethhdr, h_proto), &proto, sizeof(proto)) < 0)
        return 0;
    if (proto != bpf_htons(ETH_P_IP))
        return 0;
    if (bpf_skb_load_bytes(skb, sizeof(struct ethhdr) + offsetof(struct iphdr, protocol), &ipproto, 1) < 0)
        return 0;
    return ipproto == IPPROTO_ICMP ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
