// jbcc gethostlatency: host name lookups in libc (getaddrinfo, gethostbyname, gethostbyname2),
// timed from the call (uprobe, which keeps the name per thread) to its return (uretprobe).
// Defines: FILTER_PID (-1: any).
#define HOST_LEN 80

struct start_t {
    u64 ts;
    char host[HOST_LEN];
};

struct lookup_t {
    u64 delta_ns;
    u32 pid;
    char comm[TASK_COMM_LEN];
    char host[HOST_LEN];
};

BPF_HASH(lookups, u32, struct start_t, 4096);
BPF_PERF_OUTPUT(events);

int lookup_entry(struct pt_regs *ctx)
{
    const char *name = (const char *)PT_REGS_PARM1(ctx);
    if (!name)
        return 0;
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    u32 tid = (u32)id;
    struct start_t s = {};
    bpf_probe_read_user_str(s.host, sizeof(s.host), name);
    s.ts = bpf_ktime_get_ns();
    lookups.update(&tid, &s);
    return 0;
}

int lookup_return(struct pt_regs *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    struct start_t *s = lookups.lookup(&tid);
    if (!s)
        return 0;
    struct lookup_t l = {};
    l.delta_ns = bpf_ktime_get_ns() - s->ts;
    l.pid = id >> 32;
    __builtin_memcpy(l.host, s->host, sizeof(l.host));
    bpf_get_current_comm(&l.comm, sizeof(l.comm));
    lookups.delete(&tid);
    events.perf_submit(ctx, &l, sizeof(l));
    return 0;
}
