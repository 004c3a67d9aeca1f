// jbcc profile: a timed sample of what each CPU runs, counted by task and stacks. The tool attaches
// do_perf_event to a cpu-clock perf event on each CPU (software, so it works in VMs too).
// Defines: THREAD_FILTER (an expression of tgid and tid; 1: every thread), INCLUDE_IDLE,
// USER_STACKS, KERNEL_STACKS, STACK_STORAGE_SIZE.
struct key_t {
    u32 pid;
    u32 tid;
    int user_stack_id;
    int kernel_stack_id;
    char name[TASK_COMM_LEN];
};

BPF_HASH(counts, struct key_t, u64, 40960);
BPF_STACK_TRACE(stack_traces, STACK_STORAGE_SIZE);

int do_perf_event(struct bpf_perf_event_data *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tgid = id >> 32;
    u32 tid = (u32)id;
    if (!INCLUDE_IDLE && tid == 0)
        return 0;
    if (!(THREAD_FILTER))
        return 0;
    struct key_t key = {.pid = tgid, .tid = tid};
    bpf_get_current_comm(&key.name, sizeof(key.name));
    key.user_stack_id = USER_STACKS ? stack_traces.get_stackid(ctx, BPF_F_USER_STACK) : -14;
    key.kernel_stack_id = KERNEL_STACKS ? stack_traces.get_stackid(ctx, 0) : -14;
    counts.atomic_increment(key);
    return 0;
}
