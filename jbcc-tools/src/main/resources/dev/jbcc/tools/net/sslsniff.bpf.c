// jbcc sslsniff: the plain text of TLS reads and writes, from uprobes on the TLS libraries'
// read/write functions. The entry keeps the buffer (and, for OpenSSL's *_ex functions, where the
// length will be written) per thread; the return reads the length and copies the data, so both
// directions are read once the call is done. Events are built in a per-CPU slot (too big for the stack).
// Defines: MAX_BUF (bytes kept per call), FILTER_PID, FILTER_UID (-1: any).
struct call_t {
    u64 ts;
    u64 buf;
    u64 length_at;      // size_t * of SSL_read_ex/SSL_write_ex; 0: the return value is the length
};

struct rw_t {
    u64 ts_ns;
    u64 delta_ns;
    u32 pid;
    u32 tid;
    u32 uid;
    int len;
    int rw;             // 0 read, 1 write
    int buf_filled;
    char comm[TASK_COMM_LEN];
    char buf[MAX_BUF];
};

BPF_HASH(calls, u32, struct call_t, 4096);
BPF_PERCPU_ARRAY(scratch, struct rw_t, 1);
BPF_PERF_OUTPUT(events);

static __always_inline int enter(struct pt_regs *ctx, u64 length_at)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    if (FILTER_UID >= 0 && (u32)bpf_get_current_uid_gid() != FILTER_UID)
        return 0;
    u32 tid = (u32)id;
    struct call_t c = {.ts = bpf_ktime_get_ns(), .buf = PT_REGS_PARM2(ctx), .length_at = length_at};
    calls.update(&tid, &c);
    return 0;
}

static __always_inline int leave(struct pt_regs *ctx, int rw)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    struct call_t *c = calls.lookup(&tid);
    if (!c)
        return 0;
    struct call_t call = *c;
    calls.delete(&tid);
    long rc = PT_REGS_RC(ctx);
    long len = rc;
    if (call.length_at) {
        u64 n = 0;
        if (rc != 1 || bpf_probe_read_user(&n, sizeof(n), (void *)call.length_at))
            return 0;
        len = n;
    }
    if (len <= 0)
        return 0;
    int zero = 0;
    struct rw_t *e = scratch.lookup(&zero);
    if (!e)
        return 0;
    e->ts_ns = bpf_ktime_get_ns();
    e->delta_ns = e->ts_ns - call.ts;
    e->pid = id >> 32;
    e->tid = tid;
    e->uid = (u32)bpf_get_current_uid_gid();
    e->len = len;
    e->rw = rw;
    bpf_get_current_comm(&e->comm, sizeof(e->comm));
    u32 copy = len < MAX_BUF ? len : MAX_BUF;
    e->buf_filled = bpf_probe_read_user(e->buf, copy, (void *)call.buf) == 0;
    events.perf_submit(ctx, e, sizeof(*e));
    return 0;
}

int write_entry(struct pt_regs *ctx)
{
    return enter(ctx, 0);
}

int write_ex_entry(struct pt_regs *ctx)
{
    return enter(ctx, PT_REGS_PARM4(ctx));
}

int read_entry(struct pt_regs *ctx)
{
    return enter(ctx, 0);
}

int read_ex_entry(struct pt_regs *ctx)
{
    return enter(ctx, PT_REGS_PARM4(ctx));
}

int write_return(struct pt_regs *ctx)
{
    return leave(ctx, 1);
}

int read_return(struct pt_regs *ctx)
{
    return leave(ctx, 0);
}
