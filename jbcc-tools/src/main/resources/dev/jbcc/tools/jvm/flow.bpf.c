// jbcc jvm flow: each Java method entry and return with its call depth in the thread, from
// hotspot:method__entry and method__return (arguments: Java thread id, class, method and signature,
// each pointer and length). HotSpot fires them only with -XX:+DTraceMethodProbes.
// Every call moves the thread's depth; only those whose class and method start with CLASS_PREFIX
// and METHOD_PREFIX (internal names: java/lang/String) are sent.
// Defines: SKIP_PID, CLASS_PREFIX, CLASS_PREFIX_LEN, METHOD_PREFIX, METHOD_PREFIX_LEN.
#define NAME_LEN 64
#define RETURN_BIT (1ULL << 63)

struct call_t {
    u32 pid;
    u32 tid;
    u32 cpu;
    u64 ts;
    u64 depth;                  // the top bit set: a return
    char klass[NAME_LEN];
    char method[NAME_LEN];
};

BPF_PERF_OUTPUT(events);
BPF_HASH(depths, u32, u64, 10240);
BPF_PERCPU_ARRAY(scratch, struct call_t, 1);

static __always_inline int starts_with(const char *s, const char *prefix, int len)
{
#pragma unroll
    for (int i = 0; i < NAME_LEN; i++) {
        if (i >= len)
            return 1;
        if (s[i] != prefix[i])
            return 0;
    }
    return 1;
}

static __always_inline int send(struct pt_regs *ctx, int is_return, u64 klass, u64 klass_len, u64 method, u64 method_len)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    u64 zero = 0;
    u64 *depth = depths.lookup_or_try_init(&tid, &zero);
    if (!depth)
        return 0;
    u64 d;
    if (is_return) {
        d = *depth | RETURN_BIT;
        if (*depth)
            (*depth)--;
    } else {
        d = ++(*depth);
    }
    int key = 0;
    struct call_t *c = scratch.lookup(&key);
    if (!c)
        return 0;
    if (klass_len > NAME_LEN - 1)
        klass_len = NAME_LEN - 1;
    if (method_len > NAME_LEN - 1)
        method_len = NAME_LEN - 1;
    __builtin_memset(c->klass, 0, NAME_LEN);
    __builtin_memset(c->method, 0, NAME_LEN);
    bpf_probe_read_user(c->klass, klass_len, (void *)klass);
    bpf_probe_read_user(c->method, method_len, (void *)method);
    char class_prefix[] = CLASS_PREFIX;
    char method_prefix[] = METHOD_PREFIX;
    if (!starts_with(c->klass, class_prefix, CLASS_PREFIX_LEN) || !starts_with(c->method, method_prefix, METHOD_PREFIX_LEN))
        return 0;
    c->pid = id >> 32;
    c->tid = tid;
    c->cpu = bpf_get_smp_processor_id();
    c->ts = bpf_ktime_get_ns();
    c->depth = d;
    events.perf_submit(ctx, c, sizeof(*c));
    return 0;
}

int method_entry(struct pt_regs *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) == SKIP_PID)
        return 0;
    u64 klass = 0, klass_len = 0, method = 0, method_len = 0;
    bpf_usdt_readarg(2, ctx, &klass);
    bpf_usdt_readarg(3, ctx, &klass_len);
    bpf_usdt_readarg(4, ctx, &method);
    bpf_usdt_readarg(5, ctx, &method_len);
    return send(ctx, 0, klass, klass_len, method, method_len);
}

int method_return(struct pt_regs *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) == SKIP_PID)
        return 0;
    u64 klass = 0, klass_len = 0, method = 0, method_len = 0;
    bpf_usdt_readarg(2, ctx, &klass);
    bpf_usdt_readarg(3, ctx, &klass_len);
    bpf_usdt_readarg(4, ctx, &method);
    bpf_usdt_readarg(5, ctx, &method_len);
    return send(ctx, 1, klass, klass_len, method, method_len);
}
