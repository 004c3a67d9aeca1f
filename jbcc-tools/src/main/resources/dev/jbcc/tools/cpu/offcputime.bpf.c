// jbcc offcputime: time threads spend off the CPU, summed by the stacks where they left it. At the
// raw sched_switch tracepoint the kernel still runs on the outgoing thread, so its stacks are
// taken there and kept with the time it left; when the thread is switched back in, the time off
// is added to those stacks' total.
// Defines: THREAD_FILTER (an expression of tgid and tid; 1: all), THREADS (0 all, 1 user threads,
// 2 kernel threads),
// FILTER_STATE (-1: any), MIN_US, MAX_US, USER_STACKS, KERNEL_STACKS, STACK_STORAGE_SIZE.
#define PF_KTHREAD 0x00200000

struct key_t {
    u32 pid;
    u32 tgid;
    int user_stack_id;
    int kernel_stack_id;
    char name[TASK_COMM_LEN];
};

struct off_t {
    u64 ts;
    struct key_t key;
};

BPF_HASH(start, u32, struct off_t, 10240);
BPF_HASH(counts, struct key_t, u64, 10240);
BPF_STACK_TRACE(stack_traces, STACK_STORAGE_SIZE);

static __always_inline int wanted(struct task_struct *p)
{
    u32 tid = p->pid;
    u32 tgid = p->tgid;
    if (tid == 0)
        return 0;
    if (!(THREAD_FILTER))
        return 0;
    if (THREADS == 1 && (p->flags & PF_KTHREAD))
        return 0;
    if (THREADS == 2 && !(p->flags & PF_KTHREAD))
        return 0;
    if (FILTER_STATE >= 0 && p->__state != FILTER_STATE)
        return 0;
    return 1;
}

RAW_TRACEPOINT_PROBE(sched_switch)
{
    struct task_struct *prev = (struct task_struct *)ctx->args[1];
    struct task_struct *next = (struct task_struct *)ctx->args[2];
    u64 now = bpf_ktime_get_ns();
    if (wanted(prev)) {
        struct off_t off = {.ts = now};
        off.key.pid = prev->pid;
        off.key.tgid = prev->tgid;
        off.key.user_stack_id = USER_STACKS ? stack_traces.get_stackid(ctx, BPF_F_USER_STACK) : -14;
        off.key.kernel_stack_id = KERNEL_STACKS ? stack_traces.get_stackid(ctx, 0) : -14;
        bpf_get_current_comm(&off.key.name, sizeof(off.key.name));
        u32 tid = prev->pid;
        start.update(&tid, &off);
    }
    u32 tid = next->pid;
    struct off_t *off = start.lookup(&tid);
    if (!off)
        return 0;
    u64 delta_us = (now - off->ts) / 1000;
    struct key_t key = off->key;
    start.delete(&tid);
    if (delta_us < MIN_US || delta_us > MAX_US)
        return 0;
    counts.atomic_increment(key, delta_us);
    return 0;
}
