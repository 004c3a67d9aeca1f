// jbcc runqlat: how long tasks wait on a run queue, from being woken (or preempted while runnable)
// to running, as a log2 histogram. The raw scheduler tracepoints hand over the task pointers, which
// carry the thread, its process and its PID namespace on every kernel.
// Defines: FILTER_TGID (-1: any), SECTION (0 none, 1 per process, 2 per thread, 3 per PID
// namespace), FACTOR (ns per unit).
struct hkey_t {
    u64 section;
    u64 slot;
};

BPF_HASH(start, u32, u64, 10240);
#if SECTION
BPF_HISTOGRAM(dist, struct hkey_t);
#else
BPF_HISTOGRAM(dist);
#endif

static __always_inline void enqueued(struct task_struct *p)
{
    u32 tid = p->pid;
    if (tid == 0)
        return;
    if (FILTER_TGID >= 0 && p->tgid != FILTER_TGID)
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
    // preempted while runnable: it waits on the run queue from now
    if (prev->__state == 0)
        enqueued(prev);
    u32 tid = next->pid;
    u64 *tsp = start.lookup(&tid);
    if (!tsp)
        return 0;
    u64 delta = (bpf_ktime_get_ns() - *tsp) / FACTOR;
    start.delete(&tid);
#if SECTION
    struct hkey_t key = {.slot = bpf_log2l(delta)};
    if (SECTION == 1)
        key.section = next->tgid;
    else if (SECTION == 2)
        key.section = next->pid;
    else
        key.section = next->nsproxy->pid_ns_for_children->ns.inum;
    dist.atomic_increment(key);
#else
    dist.atomic_increment(bpf_log2l(delta));
#endif
    return 0;
}
