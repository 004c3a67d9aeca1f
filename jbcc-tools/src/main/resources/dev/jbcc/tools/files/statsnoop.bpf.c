// jbcc statsnoop: the stat family of syscalls with the path asked for and the result. Each enter
// tracepoint keeps the user's path pointer per thread; the matching exit reads the path (the
// memory is still the caller's) and sends it with the result.
// Defines: FILTER_PID (-1: any), FAILED_ONLY, HAVE_NEWSTAT, HAVE_NEWLSTAT, HAVE_STATFS (those
// syscalls are not on every architecture).
#define PATH_LEN 255

struct stat_t {
    u64 ts_ns;
    u32 pid;
    int ret;
    char comm[TASK_COMM_LEN];
    char path[PATH_LEN];
};

BPF_HASH(asked, u32, const char *, 1024);
BPF_PERF_OUTPUT(events);

static __always_inline int enter(const char *path)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    u32 tid = (u32)id;
    asked.update(&tid, &path);
    return 0;
}

static __always_inline int leave(void *ctx, long ret)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    const char **path = asked.lookup(&tid);
    if (!path)
        return 0;
    const char *p = *path;
    asked.delete(&tid);
    if (FAILED_ONLY && ret >= 0)
        return 0;
    struct stat_t s = {.ts_ns = bpf_ktime_get_ns(), .pid = id >> 32, .ret = (int)ret};
    bpf_get_current_comm(&s.comm, sizeof(s.comm));
    bpf_probe_read_user_str(&s.path, sizeof(s.path), p);
    events.perf_submit(ctx, &s, sizeof(s));
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_enter_statx) { return enter((const char *)args->filename); }
TRACEPOINT_PROBE(syscalls, sys_exit_statx) { return leave(args, args->ret); }
TRACEPOINT_PROBE(syscalls, sys_enter_newfstatat) { return enter((const char *)args->filename); }
TRACEPOINT_PROBE(syscalls, sys_exit_newfstatat) { return leave(args, args->ret); }
#if HAVE_NEWSTAT
TRACEPOINT_PROBE(syscalls, sys_enter_newstat) { return enter((const char *)args->filename); }
TRACEPOINT_PROBE(syscalls, sys_exit_newstat) { return leave(args, args->ret); }
#endif
#if HAVE_NEWLSTAT
TRACEPOINT_PROBE(syscalls, sys_enter_newlstat) { return enter((const char *)args->filename); }
TRACEPOINT_PROBE(syscalls, sys_exit_newlstat) { return leave(args, args->ret); }
#endif
#if HAVE_STATFS
TRACEPOINT_PROBE(syscalls, sys_enter_statfs) { return enter((const char *)args->pathname); }
TRACEPOINT_PROBE(syscalls, sys_exit_statfs) { return leave(args, args->ret); }
#endif
