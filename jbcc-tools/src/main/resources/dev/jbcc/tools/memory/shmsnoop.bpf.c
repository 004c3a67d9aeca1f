// jbcc shmsnoop: System V shared memory calls (shmget, shmat, shmdt, shmctl) with their arguments
// and results. The entry tracepoints keep the arguments per thread, the exit ones add the result
// and send the event. Defines: FILTER_PID, FILTER_TID (-1: any).
enum { SYS_SHMGET, SYS_SHMAT, SYS_SHMDT, SYS_SHMCTL };

struct shm_t {
    u64 id;          // pid << 32 | tid
    u64 ts;
    u64 sys;
    u64 key;
    u64 size;
    u64 shmflg;
    u64 shmid;
    u64 shmaddr;
    u64 cmd;
    u64 buf;
    u64 ret;
    char comm[TASK_COMM_LEN];
};

BPF_HASH(pending, u32, struct shm_t, 1024);
BPF_PERF_OUTPUT(events);

static __always_inline int enter(struct shm_t *e, u64 sys)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    if (FILTER_TID >= 0 && (u32)id != FILTER_TID)
        return 0;
    u32 tid = (u32)id;
    e->id = id;
    e->ts = bpf_ktime_get_ns();
    e->sys = sys;
    pending.update(&tid, e);
    return 0;
}

static __always_inline int leave(void *ctx, long ret)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct shm_t *p = pending.lookup(&tid);
    if (!p)
        return 0;
    struct shm_t e = {};
    __builtin_memcpy(&e, p, sizeof(e));
    pending.delete(&tid);
    e.ret = ret;
    bpf_get_current_comm(&e.comm, sizeof(e.comm));
    events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_enter_shmget)
{
    struct shm_t e = {.key = args->key, .size = args->size, .shmflg = args->shmflg};
    return enter(&e, SYS_SHMGET);
}

TRACEPOINT_PROBE(syscalls, sys_enter_shmat)
{
    struct shm_t e = {.shmid = args->shmid, .shmaddr = (u64)args->shmaddr, .shmflg = args->shmflg};
    return enter(&e, SYS_SHMAT);
}

TRACEPOINT_PROBE(syscalls, sys_enter_shmdt)
{
    struct shm_t e = {.shmaddr = (u64)args->shmaddr};
    return enter(&e, SYS_SHMDT);
}

TRACEPOINT_PROBE(syscalls, sys_enter_shmctl)
{
    struct shm_t e = {.shmid = args->shmid, .cmd = args->cmd, .buf = (u64)args->buf};
    return enter(&e, SYS_SHMCTL);
}

TRACEPOINT_PROBE(syscalls, sys_exit_shmget)
{
    return leave(args, args->ret);
}

TRACEPOINT_PROBE(syscalls, sys_exit_shmat)
{
    return leave(args, args->ret);
}

TRACEPOINT_PROBE(syscalls, sys_exit_shmdt)
{
    return leave(args, args->ret);
}

TRACEPOINT_PROBE(syscalls, sys_exit_shmctl)
{
    return leave(args, args->ret);
}
