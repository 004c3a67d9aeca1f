// jbcc jvm gc: garbage collections, from HotSpot's probes: gc__begin (is full) and gc__end bracket a
// collection; mem__pool__gc__begin/end (manager, pool, sizes) give each memory pool's usage before
// and after it. The cause is not in any probe: a collection that begins while a thread of the same
// JVM is in JVM_GC (System.gc(), Runtime.gc()) is "System.gc()"; else it is named after the VM
// operation running it on that thread (vmops__begin/end), e.g. G1CollectForAllocation.
// Defines: SKIP_PID (jbcc's own JVM when every JVM is traced, else 0).
#define NAME_LEN 48

enum kind { GC_BEGIN = 1, GC_END, POOL_BEGIN, POOL_END };

struct gc_event_t {
    u64 ts;
    u32 pid;
    u32 tid;
    u8 kind;
    u8 full;
    u8 system_gc;
    u64 used;
    u64 committed;
    u64 max;
    char manager[NAME_LEN];     // POOL_*: the collector; GC_BEGIN: the VM operation
    char pool[NAME_LEN];
};

struct name_t {
    char name[NAME_LEN];
};

BPF_PERF_OUTPUT(events);
BPF_HASH(in_system_gc, u32, u64, 4096);      // pid -> threads in JVM_GC
BPF_HASH(vmop, u32, struct name_t, 4096);    // tid -> VM operation running
BPF_PERCPU_ARRAY(scratch, struct gc_event_t, 1);

static struct gc_event_t *start(u8 kind)
{
    u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) == SKIP_PID)
        return 0;
    int zero = 0;
    struct gc_event_t *e = scratch.lookup(&zero);
    if (!e)
        return 0;
    __builtin_memset(e, 0, sizeof(*e));
    e->ts = bpf_ktime_get_ns();
    e->pid = id >> 32;
    e->tid = (u32)id;
    e->kind = kind;
    return e;
}

static void read_name(char *dst, u64 ptr, u64 len)
{
    if (len > NAME_LEN - 1)
        len = NAME_LEN - 1;
    bpf_probe_read_user(dst, len, (void *)ptr);
}

int gc_begin(struct pt_regs *ctx)
{
    struct gc_event_t *e = start(GC_BEGIN);
    if (!e)
        return 0;
    u64 full = 0;
    bpf_usdt_readarg(1, ctx, &full);
    e->full = full != 0;
    u64 *n = in_system_gc.lookup(&e->pid);
    e->system_gc = n && *n > 0;
    struct name_t *op = vmop.lookup(&e->tid);
    if (op)
        __builtin_memcpy(e->manager, op->name, NAME_LEN);
    events.perf_submit(ctx, e, sizeof(*e));
    return 0;
}

int gc_end(struct pt_regs *ctx)
{
    struct gc_event_t *e = start(GC_END);
    if (e)
        events.perf_submit(ctx, e, sizeof(*e));
    return 0;
}

// bpf_usdt_readarg reads the probe of the function it is written in: each pool probe reads its own.
static int send_pool(struct pt_regs *ctx, struct gc_event_t *e, u64 manager, u64 manager_len, u64 pool, u64 pool_len)
{
    read_name(e->manager, manager, manager_len);
    read_name(e->pool, pool, pool_len);
    events.perf_submit(ctx, e, sizeof(*e));
    return 0;
}

int pool_begin(struct pt_regs *ctx)
{
    struct gc_event_t *e = start(POOL_BEGIN);
    if (!e)
        return 0;
    u64 manager = 0, manager_len = 0, pool = 0, pool_len = 0;
    bpf_usdt_readarg(1, ctx, &manager);
    bpf_usdt_readarg(2, ctx, &manager_len);
    bpf_usdt_readarg(3, ctx, &pool);
    bpf_usdt_readarg(4, ctx, &pool_len);
    bpf_usdt_readarg(6, ctx, &e->used);
    bpf_usdt_readarg(7, ctx, &e->committed);
    bpf_usdt_readarg(8, ctx, &e->max);
    return send_pool(ctx, e, manager, manager_len, pool, pool_len);
}

int pool_end(struct pt_regs *ctx)
{
    struct gc_event_t *e = start(POOL_END);
    if (!e)
        return 0;
    u64 manager = 0, manager_len = 0, pool = 0, pool_len = 0;
    bpf_usdt_readarg(1, ctx, &manager);
    bpf_usdt_readarg(2, ctx, &manager_len);
    bpf_usdt_readarg(3, ctx, &pool);
    bpf_usdt_readarg(4, ctx, &pool_len);
    bpf_usdt_readarg(6, ctx, &e->used);
    bpf_usdt_readarg(7, ctx, &e->committed);
    bpf_usdt_readarg(8, ctx, &e->max);
    return send_pool(ctx, e, manager, manager_len, pool, pool_len);
}

int vmop_begin(struct pt_regs *ctx)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct name_t op = {};
    u64 name = 0, len = 0;
    bpf_usdt_readarg(1, ctx, &name);
    bpf_usdt_readarg(2, ctx, &len);
    read_name(op.name, name, len);
    vmop.update(&tid, &op);
    return 0;
}

int vmop_end(struct pt_regs *ctx)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    vmop.delete(&tid);
    return 0;
}

// uprobe and uretprobe on JVM_GC, what System.gc() calls: the JVM is in a System.gc() meanwhile.
int system_gc_enter(struct pt_regs *ctx)
{
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    u64 one = 1;
    u64 *n = in_system_gc.lookup(&pid);
    if (n)
        __sync_fetch_and_add(n, 1);
    else
        in_system_gc.update(&pid, &one);
    return 0;
}

int system_gc_return(struct pt_regs *ctx)
{
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    u64 *n = in_system_gc.lookup(&pid);
    if (n && *n > 0)
        __sync_fetch_and_add(n, -1);
    return 0;
}
