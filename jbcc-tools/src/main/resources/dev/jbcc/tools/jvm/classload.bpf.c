// jbcc jvm classload: classes as HotSpot loads and unloads them, from hotspot:class__loaded and
// class__unloaded (arguments: name pointer and length, the class loader's data, shared from CDS).
// Defines: SKIP_PID (jbcc's own JVM when every JVM is traced, else 0).
#define NAME_LEN 256

struct class_t {
    u32 pid;
    u8 loaded;           // 1: loaded, 0: unloaded
    u8 shared;
    u64 loader;
    char name[NAME_LEN];
};

BPF_PERF_OUTPUT(events);
BPF_PERCPU_ARRAY(scratch, struct class_t, 1);

static struct class_t *start(u8 loaded)
{
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    if (pid == SKIP_PID)
        return 0;
    int zero = 0;
    struct class_t *c = scratch.lookup(&zero);
    if (!c)
        return 0;
    c->pid = pid;
    c->loaded = loaded;
    return c;
}

static int send(struct pt_regs *ctx, struct class_t *c, u64 name, u64 len, u64 shared)
{
    if (len > NAME_LEN - 1)
        len = NAME_LEN - 1;
    __builtin_memset(c->name, 0, NAME_LEN);
    bpf_probe_read_user(c->name, len, (void *)name);
    c->shared = shared != 0;
    events.perf_submit(ctx, c, sizeof(*c));
    return 0;
}

int class_loaded(struct pt_regs *ctx)
{
    struct class_t *c = start(1);
    if (!c)
        return 0;
    u64 name = 0, len = 0, shared = 0;
    bpf_usdt_readarg(1, ctx, &name);
    bpf_usdt_readarg(2, ctx, &len);
    bpf_usdt_readarg(3, ctx, &c->loader);
    bpf_usdt_readarg(4, ctx, &shared);
    return send(ctx, c, name, len, shared);
}

int class_unloaded(struct pt_regs *ctx)
{
    struct class_t *c = start(0);
    if (!c)
        return 0;
    u64 name = 0, len = 0, shared = 0;
    bpf_usdt_readarg(1, ctx, &name);
    bpf_usdt_readarg(2, ctx, &len);
    bpf_usdt_readarg(3, ctx, &c->loader);
    bpf_usdt_readarg(4, ctx, &shared);
    return send(ctx, c, name, len, shared);
}
