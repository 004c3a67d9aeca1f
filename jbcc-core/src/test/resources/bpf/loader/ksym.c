// A typed __ksym: a per-CPU kernel variable found through kernel BTF, read with bpf_per_cpu_ptr.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern struct rq runqueues __ksym;

int rq_cpu = -1;

SEC("raw_tp/sys_enter")
int read_runqueue(void *ctx)
{
    struct rq *rq = bpf_per_cpu_ptr(&runqueues, 1);
    if (rq)
        rq_cpu = rq->cpu;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
