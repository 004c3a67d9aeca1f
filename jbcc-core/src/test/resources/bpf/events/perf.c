// Perf buffer producer for PerfBufferTest: a raw tracepoint program run through
// BPF_PROG_TEST_RUN (optionally on a chosen CPU) that writes numbered samples with
// bpf_perf_event_output. Java sets the globals below before each run.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct big {
    __u64 words[128];
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct big);
} scratch SEC(".maps");

__u64 start_seq;   /* first sequence number of the next run */
__u64 count;       /* how many samples the next run writes */
__u32 kind;        /* 0: 64 bytes, 1: 1 KiB */
__u64 failed;      /* bpf_perf_event_output calls that failed (ring full), over all runs */
__u64 sent;        /* calls that succeeded, over all runs */

struct loop_state {
    void *ctx;
    struct big *big;
};

static long emit(__u64 i, void *data)
{
    struct loop_state *s = data;
    __u64 seq = start_seq + i;
    long rc;

    if (kind == 0) {
        __u64 buf[8] = {};
        buf[0] = seq;
        buf[1] = bpf_get_smp_processor_id();
        buf[7] = ~seq;
        rc = bpf_perf_event_output(s->ctx, &events, BPF_F_CURRENT_CPU, buf, sizeof(buf));
    } else {
        struct big *b = s->big;
        b->words[0] = seq;
        b->words[1] = bpf_get_smp_processor_id();
        b->words[127] = ~seq;
        rc = bpf_perf_event_output(s->ctx, &events, BPF_F_CURRENT_CPU, b, sizeof(*b));
    }
    if (rc)
        __sync_fetch_and_add(&failed, 1);
    else
        __sync_fetch_and_add(&sent, 1);
    return 0;
}

SEC("raw_tp")
int produce(void *ctx)
{
    __u32 zero = 0;
    struct big *b = bpf_map_lookup_elem(&scratch, &zero);
    if (!b)
        return 1;
    struct loop_state s = { .ctx = ctx, .big = b };
    bpf_loop(count, emit, &s, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
