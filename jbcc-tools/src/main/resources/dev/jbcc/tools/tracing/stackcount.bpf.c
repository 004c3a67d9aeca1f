// jbcc stackcount: how often each distinct stack reaches the traced places. The tool appends one
// function per place calling count(ctx). Defines: FILTER_PID, FILTER_CPU (-1: any), PER_PID,
// KERNEL_STACK, USER_STACK (which stacks to keep).
struct key_t {
    u32 tgid;       // 0xffffffff unless PER_PID
    int kernel_stack_id;
    int user_stack_id;
    char name[TASK_COMM_LEN];
};

BPF_HASH(counts, struct key_t, u64, 10240);
BPF_STACK_TRACE(stack_traces, 10240);

static __always_inline int count(void *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    if (FILTER_CPU >= 0 && bpf_get_smp_processor_id() != FILTER_CPU)
        return 0;
    struct key_t key = {};
    // the process is kept for -P, and to name the frames of user stacks
    key.tgid = PER_PID || USER_STACK ? id >> 32 : 0xffffffff;
    if (PER_PID)
        bpf_get_current_comm(&key.name, sizeof(key.name));
    key.kernel_stack_id = KERNEL_STACK ? stack_traces.get_stackid(ctx, 0) : -1;
    key.user_stack_id = USER_STACK ? stack_traces.get_stackid(ctx, BPF_F_USER_STACK) : -1;
    u64 zero = 0;
    u64 *n = counts.lookup_or_try_init(&key, &zero);
    if (n)
        __sync_fetch_and_add(n, 1);
    return 0;
}
