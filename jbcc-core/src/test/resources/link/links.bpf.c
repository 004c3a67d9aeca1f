// Programs for LinksTest: one that auto-attaches, and kinds that need more than their section name.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_pid = 0;

__u64 getpid_calls = 0;

SEC("uprobe/libc.so.6:getpid")
int a_on_getpid(struct pt_regs *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) == target_pid)
        __sync_fetch_and_add(&getpid_calls, 1);
    return 0;
}

SEC("xdp")
int b_xdp_pass(struct xdp_md *ctx)
{
    return XDP_PASS;
}

SEC("tc")
int c_tc_pass(struct __sk_buff *skb)
{
    return 0;
}

SEC("usdt")
int d_usdt(struct pt_regs *ctx)
{
    return 0;
}

SEC("uprobe")
int e_uprobe_without_target(struct pt_regs *ctx)
{
    return 0;
}

SEC("tracepoint")
int f_tracepoint_without_target(void *ctx)
{
    return 0;
}
