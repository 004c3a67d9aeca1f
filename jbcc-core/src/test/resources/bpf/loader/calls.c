// bpf2bpf calls (a static and a global subprogram) and a tail call through a program array
// that the object fills itself.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int twice(int x)
{
    return x * 2;
}

__attribute__((noinline)) int add_three(int x)
{
    return x + 3;
}

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
    return 42;
}

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int (void *));
} jump_table SEC(".maps") = {
    .values = { [2] = (void *)&tail_target },
};

SEC("xdp")
int call_subprograms(struct xdp_md *ctx)
{
    /* (5 * 2) + 3 = 13, from two subprograms */
    return add_three(twice(5));
}

SEC("xdp")
int tail_caller(struct xdp_md *ctx)
{
    bpf_tail_call(ctx, &jump_table, 2);
    return 1; /* only reached if the tail call fails */
}

char LICENSE[] SEC("license") = "GPL";
