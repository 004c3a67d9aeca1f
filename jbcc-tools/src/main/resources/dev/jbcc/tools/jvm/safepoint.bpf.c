// jbcc jvm safepoint: VM operations (the work HotSpot's VM thread does, most of it at a safepoint
// with every Java thread stopped), from hotspot:vmops__begin and vmops__end (arguments: name
// pointer and length, 0 when it runs at a safepoint). Begin and end come on the same thread.
// Defines: SKIP_PID (jbcc's own JVM when every JVM is traced, else 0).
#define NAME_LEN 48

struct op_t {
    u32 pid;
    u8 at_safepoint;
    u64 duration_ns;
    char name[NAME_LEN];
};

BPF_PERF_OUTPUT(events);
BPF_HASH(started, u32, u64, 1024);

int vmop_begin(struct pt_regs *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) == SKIP_PID)
        return 0;
    u32 tid = (u32)id;
    u64 now = bpf_ktime_get_ns();
    started.update(&tid, &now);
    return 0;
}

int vmop_end(struct pt_regs *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    u64 *begin = started.lookup(&tid);
    if (!begin)
        return 0;
    struct op_t op = { .pid = id >> 32 };
    op.duration_ns = bpf_ktime_get_ns() - *begin;
    started.delete(&tid);
    u64 name = 0, len = 0, mode = 0;
    bpf_usdt_readarg(1, ctx, &name);
    bpf_usdt_readarg(2, ctx, &len);
    bpf_usdt_readarg(3, ctx, &mode);
    op.at_safepoint = mode == 0;
    if (len > NAME_LEN - 1)
        len = NAME_LEN - 1;
    bpf_probe_read_user(op.name, len, (void *)name);
    events.perf_submit(ctx, &op, sizeof(op));
    return 0;
}
