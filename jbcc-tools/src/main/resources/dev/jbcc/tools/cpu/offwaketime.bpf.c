// jbcc offwaketime: blocked time summed by the blocked thread's stacks and the stacks of whoever
// woke it. The raw sched_switch tracepoint runs in the thread that blocks (its stacks are taken
// there), sched_wakeup in the waker (its stacks and name are kept for the woken thread), and the
// block ends when the thread is switched back in.
// Defines: THREAD_FILTER (an expression of tgid and tid; 1: all), THREADS (0 all, 1 user threads,
// 2 kernel threads), FILTER_STATE (-1: any), MIN_US, MAX_US, USER_STACKS, KERNEL_STACKS,
// STACK_STORAGE_SIZE.
#define PF_KTHREAD 0x00200000

struct key_t {
    char waker[TASK_COMM_LEN];
    char target[TASK_COMM_LEN];
    int w_k_stack_id;
    int w_u_stack_id;
    int t_k_stack_id;
    int t_u_stack_id;
    u32 t_pid;
    u32 t_tgid;
    u32 w_pid;
    u32 w_tgid;
};

struct off_t {
    u64 ts;
    int k_stack_id;
    int u_stack_id;
};

struct wake_t {
    char comm[TASK_COMM_LEN];
    int k_stack_id;
    int u_stack_id;
    u32 pid;
    u32 tgid;
};

BPF_HASH(start, u32, struct off_t, 10240);
BPF_HASH(wokeby, u32, struct wake_t, 10240);
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

RAW_TRACEPOINT_PROBE(sched_wakeup)
{
    struct task_struct *p = (struct task_struct *)ctx->args[0];
    u32 tid = p->pid;
    if (!start.lookup(&tid))
        return 0;
    struct wake_t w = {};
    u64 id = bpf_get_current_pid_tgid();
    w.pid = (u32)id;
    w.tgid = id >> 32;
    w.k_stack_id = KERNEL_STACKS ? stack_traces.get_stackid(ctx, 0) : -14;
    w.u_stack_id = USER_STACKS ? stack_traces.get_stackid(ctx, BPF_F_USER_STACK) : -14;
    bpf_get_current_comm(&w.comm, sizeof(w.comm));
    wokeby.update(&tid, &w);
    return 0;
}

RAW_TRACEPOINT_PROBE(sched_switch)
{
    struct task_struct *prev = (struct task_struct *)ctx->args[1];
    struct task_struct *next = (struct task_struct *)ctx->args[2];
    u64 now = bpf_ktime_get_ns();
    if (wanted(prev)) {
        struct off_t off = {.ts = now};
        off.k_stack_id = KERNEL_STACKS ? stack_traces.get_stackid(ctx, 0) : -14;
        off.u_stack_id = USER_STACKS ? stack_traces.get_stackid(ctx, BPF_F_USER_STACK) : -14;
        u32 tid = prev->pid;
        start.update(&tid, &off);
    }
    u32 tid = next->pid;
    struct off_t *off = start.lookup(&tid);
    if (!off)
        return 0;
    u64 delta_us = (now - off->ts) / 1000;
    struct key_t key = {};
    key.t_k_stack_id = off->k_stack_id;
    key.t_u_stack_id = off->u_stack_id;
    start.delete(&tid);
    struct wake_t *w = wokeby.lookup(&tid);
    if (delta_us < MIN_US || delta_us > MAX_US) {
        if (w)
            wokeby.delete(&tid);
        return 0;
    }
    key.t_pid = tid;
    key.t_tgid = next->tgid;
    bpf_probe_read_kernel_str(&key.target, sizeof(key.target), next->comm);
    if (w) {
        key.w_pid = w->pid;
        key.w_tgid = w->tgid;
        key.w_k_stack_id = w->k_stack_id;
        key.w_u_stack_id = w->u_stack_id;
        __builtin_memcpy(&key.waker, w->comm, sizeof(key.waker));
        wokeby.delete(&tid);
    } else {
        // preempted, not woken: no waker
        key.w_k_stack_id = -14;
        key.w_u_stack_id = -14;
    }
    counts.atomic_increment(key, delta_us);
    return 0;
}
