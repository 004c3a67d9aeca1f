// jbcc jvm threads: Java threads as they start and stop, from HotSpot's hotspot:thread__start and
// thread__stop probes (arguments: name pointer, name length, Java thread id, native thread id,
// daemon). The name is not NUL-terminated: its length bounds the copy.
// Defines: SKIP_PID (jbcc's own JVM when every JVM is traced, else 0).
#define NAME_LEN 80

struct thread_t {
    u32 pid;
    u8 start;            // 1: started, 0: stopped
    u8 daemon;
    u64 java_id;
    u64 native_id;
    char name[NAME_LEN];
};

BPF_PERF_OUTPUT(events);

static int submit(struct pt_regs *ctx, struct thread_t *t, u64 name, u64 len)
{
    t->pid = bpf_get_current_pid_tgid() >> 32;
    if (t->pid == SKIP_PID)
        return 0;
    if (len > NAME_LEN - 1)
        len = NAME_LEN - 1;
    bpf_probe_read_user(t->name, len, (void *)name);
    events.perf_submit(ctx, t, sizeof(*t));
    return 0;
}

int thread_start(struct pt_regs *ctx)
{
    struct thread_t t = { .start = 1 };
    u64 name = 0, len = 0, daemon = 0;
    bpf_usdt_readarg(1, ctx, &name);
    bpf_usdt_readarg(2, ctx, &len);
    bpf_usdt_readarg(3, ctx, &t.java_id);
    bpf_usdt_readarg(4, ctx, &t.native_id);
    bpf_usdt_readarg(5, ctx, &daemon);
    t.daemon = daemon;
    return submit(ctx, &t, name, len);
}

int thread_stop(struct pt_regs *ctx)
{
    struct thread_t t = { .start = 0 };
    u64 name = 0, len = 0, daemon = 0;
    bpf_usdt_readarg(1, ctx, &name);
    bpf_usdt_readarg(2, ctx, &len);
    bpf_usdt_readarg(3, ctx, &t.java_id);
    bpf_usdt_readarg(4, ctx, &t.native_id);
    bpf_usdt_readarg(5, ctx, &daemon);
    t.daemon = daemon;
    return submit(ctx, &t, name, len);
}
