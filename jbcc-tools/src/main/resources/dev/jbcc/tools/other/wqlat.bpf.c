// jbcc wqlat: how long work waits on a workqueue, from being queued to starting to run, as a log2
// histogram (overall or per workqueue). A work item is known by its address from
// workqueue_queue_work, which carries the workqueue's name, to workqueue_execute_start.
// Defines: FACTOR (ns per unit), PER_WQ (1: a histogram per workqueue), WQ_FILTER (1: only the
// workqueue named WQ_NAME, a string).
#define WQ_NAME_LEN 24

struct start_t {
    u64 ts;
    char name[WQ_NAME_LEN];
};

// the name, then the slot: 24 + 8 bytes, no padding to hash
struct wq_key_t {
    char name[WQ_NAME_LEN];
    u64 slot;
};

BPF_HASH(start, u64, struct start_t, 10240);
#if PER_WQ
BPF_HISTOGRAM(dist, struct wq_key_t);
#else
BPF_HISTOGRAM(dist);
#endif

TRACEPOINT_PROBE(workqueue, workqueue_queue_work)
{
    struct start_t s = {};
    bpf_probe_read_kernel_str(&s.name, sizeof(s.name), (char *)args + (args->data_loc_workqueue & 0xFFFF));
#if WQ_FILTER
    char want[WQ_NAME_LEN] = WQ_NAME;
#pragma unroll
    for (int i = 0; i < WQ_NAME_LEN; i++) {
        if (s.name[i] != want[i])
            return 0;
        if (!want[i])
            break;
    }
#endif
    u64 work = (u64)args->work;
    s.ts = bpf_ktime_get_ns();
    start.update(&work, &s);
    return 0;
}

TRACEPOINT_PROBE(workqueue, workqueue_execute_start)
{
    u64 work = (u64)args->work;
    struct start_t *s = start.lookup(&work);
    if (!s)
        return 0;
    u64 delta = (bpf_ktime_get_ns() - s->ts) / FACTOR;
#if PER_WQ
    struct wq_key_t key = {.slot = bpf_log2l(delta)};
    __builtin_memcpy(key.name, s->name, sizeof(key.name));
    dist.atomic_increment(key);
#else
    dist.atomic_increment(bpf_log2l(delta));
#endif
    start.delete(&work);
    return 0;
}
