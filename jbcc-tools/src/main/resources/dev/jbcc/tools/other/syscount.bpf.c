// jbcc syscount: syscalls counted (and timed, with LATENCY) per syscall number or per process, from
// the raw_syscalls tracepoints, which see every syscall with its number and result.
// Defines: FILTER_PID, FILTER_TID, FILTER_PPID, FILTER_SYSCALL_NR (-1: any), FILTER_FAILED (1:
// only results < 0), FILTER_ERRNO (0: any), LATENCY, BY_PROCESS.
struct data_t {
    u64 count;
    u64 total_ns;
};

BPF_HASH(start, u64, u64);
BPF_HASH(data, u32, struct data_t);
// BY_PROCESS: each process's command as of its last syscall counted (it may be gone by the time
// the summary is printed)
struct comm_t {
    char comm[TASK_COMM_LEN];
};
BPF_HASH(comms, u32, struct comm_t);

static __always_inline int wanted(u64 pid_tgid, long id)
{
    if (FILTER_SYSCALL_NR >= 0 && id != FILTER_SYSCALL_NR)
        return 0;
    if (FILTER_PID >= 0 && (u32)(pid_tgid >> 32) != FILTER_PID)
        return 0;
    if (FILTER_TID >= 0 && (u32)pid_tgid != FILTER_TID)
        return 0;
    if (FILTER_PPID >= 0) {
        struct task_struct *task = (struct task_struct *)bpf_get_current_task();
        if (task->real_parent->tgid != FILTER_PPID)
            return 0;
    }
    return 1;
}

#if LATENCY
TRACEPOINT_PROBE(raw_syscalls, sys_enter)
{
    u64 pid_tgid = bpf_get_current_pid_tgid();
    if (!wanted(pid_tgid, args->id))
        return 0;
    u64 t = bpf_ktime_get_ns();
    start.update(&pid_tgid, &t);
    return 0;
}
#endif

TRACEPOINT_PROBE(raw_syscalls, sys_exit)
{
    u64 pid_tgid = bpf_get_current_pid_tgid();
    if (!wanted(pid_tgid, args->id))
        return 0;
    if (FILTER_FAILED && args->ret >= 0)
        return 0;
    if (FILTER_ERRNO && args->ret != -FILTER_ERRNO)
        return 0;
    u32 key = BY_PROCESS ? pid_tgid >> 32 : (u32)args->id;
    u64 delta = 0;
    if (LATENCY) {
        u64 *t = start.lookup(&pid_tgid);
        if (!t)
            return 0;
        delta = bpf_ktime_get_ns() - *t;
        start.delete(&pid_tgid);
    }
    struct data_t zero = {};
    struct data_t *d = data.lookup_or_try_init(&key, &zero);
    if (d) {
        __sync_fetch_and_add(&d->count, 1);
        __sync_fetch_and_add(&d->total_ns, delta);
        if (BY_PROCESS) {
            struct comm_t c = {};
            bpf_get_current_comm(&c.comm, sizeof(c.comm));
            comms.update(&key, &c);
        }
    }
    return 0;
}
