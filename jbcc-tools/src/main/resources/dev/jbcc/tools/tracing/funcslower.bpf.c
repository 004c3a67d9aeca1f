// jbcc funcslower: calls of the traced functions that took at least MIN_NS, one event each. The
// tool appends an entry and a return function per function, calling enter(ctx)/leave(ctx, index).
// Defines: FILTER_PID (-1: any), MIN_NS, NARGS (entry arguments kept), USER_STACK, KERNEL_STACK.
struct entry_t {
    u64 start_ns;
    u64 args[6];
};

struct event_t {
    u64 id;
    u64 tgid_pid;
    u64 start_ns;
    u64 duration_ns;
    u64 retval;
    u64 args[6];
    int user_stack_id;
    int kernel_stack_id;
    char comm[TASK_COMM_LEN];
};

BPF_HASH(entries, u32, struct entry_t, 10240);
BPF_PERF_OUTPUT(events);
#if USER_STACK || KERNEL_STACK
BPF_STACK_TRACE(stacks, 2048);
#endif

static __always_inline int enter(struct pt_regs *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    u32 tid = (u32)id;
    struct entry_t e = {};
    e.start_ns = bpf_ktime_get_ns();
    if (NARGS > 0) e.args[0] = PT_REGS_PARM1(ctx);
    if (NARGS > 1) e.args[1] = PT_REGS_PARM2(ctx);
    if (NARGS > 2) e.args[2] = PT_REGS_PARM3(ctx);
    if (NARGS > 3) e.args[3] = PT_REGS_PARM4(ctx);
    if (NARGS > 4) e.args[4] = PT_REGS_PARM5(ctx);
    if (NARGS > 5) e.args[5] = PT_REGS_PARM6(ctx);
    entries.update(&tid, &e);
    return 0;
}

static __always_inline int leave(struct pt_regs *ctx, u64 index)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    struct entry_t *e = entries.lookup(&tid);
    if (!e)
        return 0;
    u64 delta = bpf_ktime_get_ns() - e->start_ns;
    if (delta < MIN_NS) {
        entries.delete(&tid);
        return 0;
    }
    struct event_t ev = {};
    ev.id = index;
    ev.tgid_pid = id;
    ev.start_ns = e->start_ns;
    ev.duration_ns = delta;
    ev.retval = PT_REGS_RC(ctx);
#pragma unroll
    for (int i = 0; i < 6; i++)
        ev.args[i] = e->args[i];
    entries.delete(&tid);
#if USER_STACK
    ev.user_stack_id = stacks.get_stackid(ctx, BPF_F_USER_STACK);
#else
    ev.user_stack_id = -1;
#endif
#if KERNEL_STACK
    ev.kernel_stack_id = stacks.get_stackid(ctx, 0);
#else
    ev.kernel_stack_id = -1;
#endif
    bpf_get_current_comm(&ev.comm, sizeof(ev.comm));
    events.perf_submit(ctx, &ev, sizeof(ev));
    return 0;
}
