// jbcc mountsnoop: mount(2) and umount2(2) calls. The enter tracepoint keeps the caller's facts
// and argument pointers per thread; the exit tracepoint reads the strings (still the caller's
// memory), adds the result and sends one record, built in a per-CPU slot (too big for the stack).
#define STR_LEN 256

enum kind { KIND_MOUNT, KIND_UMOUNT };

struct call_t {
    u32 kind;
    u32 pid;
    u32 tid;
    u32 ppid;
    u32 mnt_ns;
    int ret;
    u64 flags;
    const char *ptr[4];     // source, target, type, data (umount: target only)
    char comm[TASK_COMM_LEN];
    char pcomm[TASK_COMM_LEN];
};

struct event_t {
    struct call_t call;
    char str[4][STR_LEN];
};

BPF_HASH(calls, u32, struct call_t, 1024);
BPF_PERCPU_ARRAY(scratch, struct event_t, 1);
BPF_PERF_OUTPUT(events);

static __always_inline int enter(u32 kind, u64 flags, const char *source, const char *target, const char *type, const char *data)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct call_t c = {.kind = kind, .pid = id >> 32, .tid = tid, .flags = flags};
    c.ppid = task->real_parent->tgid;
    c.mnt_ns = task->nsproxy->mnt_ns->ns.inum;
    c.ptr[0] = source;
    c.ptr[1] = target;
    c.ptr[2] = type;
    c.ptr[3] = data;
    bpf_get_current_comm(&c.comm, sizeof(c.comm));
    bpf_probe_read_kernel_str(&c.pcomm, sizeof(c.pcomm), task->real_parent->comm);
    calls.update(&tid, &c);
    return 0;
}

static __always_inline int leave(void *ctx, long ret)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct call_t *c = calls.lookup(&tid);
    if (!c)
        return 0;
    int zero = 0;
    struct event_t *e = scratch.lookup(&zero);
    if (!e) {
        calls.delete(&tid);
        return 0;
    }
    e->call = *c;
    e->call.ret = (int)ret;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        e->str[i][0] = 0;
        if (c->ptr[i])
            bpf_probe_read_user_str(e->str[i], STR_LEN, c->ptr[i]);
    }
    calls.delete(&tid);
    events.perf_submit(ctx, e, sizeof(*e));
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_enter_mount)
{
    return enter(KIND_MOUNT, args->flags, (const char *)args->dev_name, (const char *)args->dir_name,
                 (const char *)args->type, (const char *)args->data);
}

TRACEPOINT_PROBE(syscalls, sys_exit_mount) { return leave(args, args->ret); }

TRACEPOINT_PROBE(syscalls, sys_enter_umount)
{
    return enter(KIND_UMOUNT, (u64)args->flags, (const char *)args->name, NULL, NULL, NULL);
}

TRACEPOINT_PROBE(syscalls, sys_exit_umount) { return leave(args, args->ret); }
