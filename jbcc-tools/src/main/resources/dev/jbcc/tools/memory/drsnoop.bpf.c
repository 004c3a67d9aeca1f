// jbcc drsnoop: each direct reclaim (an allocation that had to free memory itself), how long it
// took and the pages it freed, from the vmscan begin/end tracepoints; with MEMCG also the reclaims
// of memory cgroups at their limit. Defines: FILTER_PID, FILTER_TID, FILTER_UID (-1: any), MEMCG.
struct start_t {
    u64 ts;
};

struct data_t {
    u32 pid;
    u32 tid;
    u32 uid;
    u32 memcg;
    u64 ts;
    u64 delta_ns;
    u64 nr_reclaimed;
    char comm[TASK_COMM_LEN];
};

BPF_HASH(start, u32, struct start_t, 10240);
BPF_PERF_OUTPUT(events);

static __always_inline int begin(void)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    if (FILTER_TID >= 0 && (u32)id != FILTER_TID)
        return 0;
    if (FILTER_UID >= 0 && (u32)bpf_get_current_uid_gid() != FILTER_UID)
        return 0;
    u32 tid = (u32)id;
    struct start_t s = {.ts = bpf_ktime_get_ns()};
    start.update(&tid, &s);
    return 0;
}

static __always_inline int end(void *ctx, u64 nr_reclaimed, u32 memcg)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    struct start_t *s = start.lookup(&tid);
    if (!s)
        return 0;
    struct data_t d = {};
    d.ts = bpf_ktime_get_ns();
    d.delta_ns = d.ts - s->ts;
    start.delete(&tid);
    d.pid = id >> 32;
    d.tid = tid;
    d.uid = (u32)bpf_get_current_uid_gid();
    d.memcg = memcg;
    d.nr_reclaimed = nr_reclaimed;
    bpf_get_current_comm(&d.comm, sizeof(d.comm));
    events.perf_submit(ctx, &d, sizeof(d));
    return 0;
}

TRACEPOINT_PROBE(vmscan, mm_vmscan_direct_reclaim_begin)
{
    return begin();
}

TRACEPOINT_PROBE(vmscan, mm_vmscan_direct_reclaim_end)
{
    return end(args, args->nr_reclaimed, 0);
}

#if MEMCG
TRACEPOINT_PROBE(vmscan, mm_vmscan_memcg_reclaim_begin)
{
    return begin();
}

TRACEPOINT_PROBE(vmscan, mm_vmscan_memcg_reclaim_end)
{
    return end(args, args->nr_reclaimed, 1);
}
#endif
