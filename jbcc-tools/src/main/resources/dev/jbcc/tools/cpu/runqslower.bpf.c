// jbcc runqslower: each time a task waited on a run queue longer than MIN_US before running, one
// event with the task and the one it replaced. Raw scheduler tracepoints give the task pointers.
// Defines: MIN_US, FILTER_TGID, FILTER_TID (-1: any).
struct event_t {
    char task[TASK_COMM_LEN];
    char prev_task[TASK_COMM_LEN];
    u64 delta_us;
    u32 pid;
    u32 prev_pid;
};

BPF_HASH(start, u32, u64, 10240);
BPF_PERF_OUTPUT(events);

static __always_inline void enqueued(struct task_struct *p)
{
    u32 tid = p->pid;
    if (tid == 0)
        return;
    if (FILTER_TGID >= 0 && p->tgid != FILTER_TGID)
        return;
    if (FILTER_TID >= 0 && tid != FILTER_TID)
        return;
    u64 ts = bpf_ktime_get_ns();
    start.update(&tid, &ts);
}

RAW_TRACEPOINT_PROBE(sched_wakeup)
{
    enqueued((struct task_struct *)ctx->args[0]);
    return 0;
}

RAW_TRACEPOINT_PROBE(sched_wakeup_new)
{
    enqueued((struct task_struct *)ctx->args[0]);
    return 0;
}

RAW_TRACEPOINT_PROBE(sched_switch)
{
    struct task_struct *prev = (struct task_struct *)ctx->args[1];
    struct task_struct *next = (struct task_struct *)ctx->args[2];
    if (prev->__state == 0)
        enqueued(prev);
    u32 tid = next->pid;
    u64 *tsp = start.lookup(&tid);
    if (!tsp)
        return 0;
    u64 delta_us = (bpf_ktime_get_ns() - *tsp) / 1000;
    start.delete(&tid);
    if (delta_us < MIN_US)
        return 0;
    struct event_t e = {};
    e.pid = tid;
    e.prev_pid = prev->pid;
    e.delta_us = delta_us;
    bpf_probe_read_kernel_str(&e.task, sizeof(e.task), next->comm);
    bpf_probe_read_kernel_str(&e.prev_task, sizeof(e.prev_task), prev->comm);
    events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
