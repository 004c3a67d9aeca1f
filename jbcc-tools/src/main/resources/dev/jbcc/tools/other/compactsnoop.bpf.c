// jbcc compactsnoop: each zone compaction, from mm_compaction_begin to mm_compaction_end in the
// same thread, with its mode, status and latency; the order it was for comes from
// mm_compaction_suitable just before (none for compaction asked for through
// /proc/sys/vm/compact_memory, which compacts whole zones). The zone is told by its first page
// frame. Defines: FILTER_PID (-1: any), KERNEL_STACKS.
struct start_t {
    u64 ts;
    s64 order;
    u64 sync;
};

struct data_t {
    u64 ts;
    u64 delta;
    u64 zone_start;
    s64 order;
    u32 pid;
    u32 tid;
    u32 sync;
    int status;
    int stack_id;
    char comm[TASK_COMM_LEN];
};

BPF_HASH(start, u64, struct start_t, 10240);
BPF_PERF_OUTPUT(events);
BPF_STACK_TRACE(stacks, 2048);

static __always_inline int wanted(u64 id)
{
    return FILTER_PID < 0 || (id >> 32) == FILTER_PID;
}

TRACEPOINT_PROBE(compaction, mm_compaction_suitable)
{
    u64 id = bpf_get_current_pid_tgid();
    if (!wanted(id) || args->ret != COMPACT_CONTINUE)
        return 0;
    struct start_t s = {.order = args->order};
    start.update(&id, &s);
    return 0;
}

TRACEPOINT_PROBE(compaction, mm_compaction_begin)
{
    u64 id = bpf_get_current_pid_tgid();
    if (!wanted(id))
        return 0;
    struct start_t fresh = {.order = -1};
    struct start_t *s = start.lookup(&id);
    if (!s)
        s = &fresh;
    s->ts = bpf_ktime_get_ns();
    s->sync = args->sync;
    start.update(&id, s);
    return 0;
}

TRACEPOINT_PROBE(compaction, mm_compaction_end)
{
    u64 id = bpf_get_current_pid_tgid();
    struct start_t *s = start.lookup(&id);
    if (!s || !s->ts)
        return 0;
    u64 now = bpf_ktime_get_ns();
    struct data_t d = {.ts = now, .delta = now - s->ts, .zone_start = args->zone_start, .order = s->order,
                       .pid = id >> 32, .tid = (u32)id, .sync = s->sync, .status = args->status, .stack_id = -1};
    if (KERNEL_STACKS)
        d.stack_id = stacks.get_stackid(args, 0);
    bpf_get_current_comm(&d.comm, sizeof(d.comm));
    start.delete(&id);
    events.perf_submit(args, &d, sizeof(d));
    return 0;
}
