// jbcc exitsnoop: each process (or, with --per-thread, thread) that ends. sched_process_exit fires
// in the ending task itself, after do_exit() has stored its exit code, so the task's own fields
// say who it was, how long it lived and how it ended.
// Defines: FILTER_PID (-1: any), PER_THREAD, FAILED_ONLY.
struct exit_t {
    u64 start_ns;
    u64 exit_ns;
    u32 pid;
    u32 tid;
    u32 ppid;
    int exit_code;      // the status given to exit(), when no signal ended it
    u32 sig_info;       // the signal that ended it (low 7 bits), and 0x80 for a core dump
    char comm[TASK_COMM_LEN];
};

BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(sched, sched_process_exit)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    u32 tgid = task->tgid;
    u32 tid = task->pid;
    // without --per-thread only the thread group leader's exit is the process's exit
    if (!PER_THREAD && tid != tgid)
        return 0;
    if (FILTER_PID >= 0 && tgid != FILTER_PID)
        return 0;
    int code = task->exit_code;
    if (FAILED_ONLY && code == 0)
        return 0;
    struct exit_t e = {};
    e.start_ns = task->start_time;
    e.exit_ns = bpf_ktime_get_ns();
    e.pid = tgid;
    e.tid = tid;
    e.ppid = task->real_parent->tgid;
    e.exit_code = code >> 8;
    e.sig_info = code & 0xFF;
    bpf_get_current_comm(&e.comm, sizeof(e.comm));
    events.perf_submit(args, &e, sizeof(e));
    return 0;
}
