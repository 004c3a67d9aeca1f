// jbcc threadsnoop: each pthread_create() call, from a uprobe on it in libc, with the function the
// new thread will start in (its third argument).
struct thread_t {
    u64 ts_ns;
    u64 start;
    u32 pid;
    char comm[TASK_COMM_LEN];
};

BPF_PERF_OUTPUT(events);

int created(struct pt_regs *ctx)
{
    struct thread_t t = {.ts_ns = bpf_ktime_get_ns(), .start = PT_REGS_PARM3(ctx), .pid = bpf_get_current_pid_tgid() >> 32};
    bpf_get_current_comm(&t.comm, sizeof(t.comm));
    events.perf_submit(ctx, &t, sizeof(t));
    return 0;
}
