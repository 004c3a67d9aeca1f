// bpf_printk from a syscall program run through BPF_PROG_TEST_RUN, for TracePipeTest.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct args {
    __u64 marker;
};

SEC("syscall")
int say(struct args *args)
{
    bpf_printk("jbcc trace marker %llu: ok", args->marker);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
