// Global data in .rodata, .data, .bss and a named .data section, set and read from Java.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

volatile const __u32 factor = 1;          /* .rodata: set from Java before load */
__u64 counter = 5;                        /* .data */
__u64 seen;                               /* .bss */
__u32 extra[4] SEC(".data.extra") = {7, 8, 9, 10};

SEC("xdp")
int bump(struct xdp_md *ctx)
{
    counter += factor;
    seen = counter * 2;
    extra[3] += 1;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
