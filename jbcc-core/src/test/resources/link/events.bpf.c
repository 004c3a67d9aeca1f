// Programs for CgroupAndPerfEventLinkTest.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_pid = 0;

__u64 egress_packets = 0;
__u64 egress_bytes = 0;
__u64 sockets_created = 0;
__u64 samples = 0;

SEC("cgroup_skb/egress")
int count_egress(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&egress_packets, 1);
    __sync_fetch_and_add(&egress_bytes, skb->len);
    return 1; /* let it through */
}

SEC("cgroup/sock_create")
int count_sock_create(struct bpf_sock *sk)
{
    __sync_fetch_and_add(&sockets_created, 1);
    return 1; /* allow */
}

SEC("perf_event")
int count_sample(struct bpf_perf_event_data *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) == target_pid)
        __sync_fetch_and_add(&samples, 1);
    return 0;
}
