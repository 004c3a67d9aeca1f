// jbcc wakeuptime: how long threads were blocked, summed by who woke them and the waker's kernel
// stack. A thread's block starts when it is switched out not runnable (raw sched_switch); the
// wake-up (raw sched_wakeup) runs in the waker, whose stack is taken there.
// Defines: FILTER_TGID (-1: any; of the blocked thread), USER_ONLY, MIN_US, MAX_US,
// STACK_STORAGE_SIZE.
#define PF_KTHREAD 0x00200000

struct key_t {
    int w_k_stack_id;
    u32 pad;
    char waker[TASK_COMM_LEN];
    char target[TASK_COMM_LEN];
};

BPF_HASH(start, u32, u64, 10240);
BPF_HASH(counts, struct key_t, u64, 10240);
BPF_STACK_TRACE(stack_traces, STACK_STORAGE_SIZE);

RAW_TRACEPOINT_PROBE(sched_switch)
{
    struct task_struct *prev = (struct task_struct *)ctx->args[1];
    // only blocks: a preempted thread is still runnable and will not be woken
    if (prev->__state == 0)
        return 0;
    u32 tid = prev->pid;
    if (tid == 0)
        return 0;
    if (FILTER_TGID >= 0 && prev->tgid != FILTER_TGID)
        return 0;
    if (USER_ONLY && (prev->flags & PF_KTHREAD))
        return 0;
    u64 ts = bpf_ktime_get_ns();
    start.update(&tid, &ts);
    return 0;
}

RAW_TRACEPOINT_PROBE(sched_wakeup)
{
    struct task_struct *p = (struct task_struct *)ctx->args[0];
    u32 tid = p->pid;
    u64 *tsp = start.lookup(&tid);
    if (!tsp)
        return 0;
    u64 delta_us = (bpf_ktime_get_ns() - *tsp) / 1000;
    start.delete(&tid);
    if (delta_us < MIN_US || delta_us > MAX_US)
        return 0;
    struct key_t key = {};
    key.w_k_stack_id = stack_traces.get_stackid(ctx, 0);
    bpf_get_current_comm(&key.waker, sizeof(key.waker));
    bpf_probe_read_kernel_str(&key.target, sizeof(key.target), p->comm);
    counts.atomic_increment(key, delta_us);
    return 0;
}
