// jbcc killsnoop: kill(2) calls, with their signal, target and result. The enter tracepoint keeps
// what was asked per thread; the exit tracepoint adds the result and sends it.
// Defines: FILTER_PID, FILTER_SIGNAL (-1: any), TPID_FILTERED and FILTER_TPID (-1 is a target
// kill() takes: every process the sender may signal), FAILED_ONLY.
struct ask_t {
    int tpid;
    int sig;
};

struct kill_t {
    u32 pid;
    int tpid;
    int sig;
    int ret;
    char comm[TASK_COMM_LEN];
};

BPF_HASH(asked, u32, struct ask_t, 1024);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(syscalls, sys_enter_kill)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    struct ask_t a = {.tpid = (int)args->pid, .sig = (int)args->sig};
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    if (TPID_FILTERED && a.tpid != FILTER_TPID)
        return 0;
    if (FILTER_SIGNAL >= 0 && a.sig != FILTER_SIGNAL)
        return 0;
    asked.update(&tid, &a);
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_kill)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    struct ask_t *a = asked.lookup(&tid);
    if (!a)
        return 0;
    struct kill_t k = {.pid = id >> 32, .tpid = a->tpid, .sig = a->sig, .ret = (int)args->ret};
    asked.delete(&tid);
    if (FAILED_ONLY && k.ret >= 0)
        return 0;
    bpf_get_current_comm(&k.comm, sizeof(k.comm));
    events.perf_submit(args, &k, sizeof(k));
    return 0;
}
