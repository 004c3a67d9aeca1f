// jbcc cpudist: how long threads run on a CPU between context switches (or, with OFFCPU, how long
// they stay off it) as a log2 histogram, from the raw sched_switch tracepoint's task pointers.
// Defines: OFFCPU, FILTER_TGID (-1: any), SECTION (0 none, 1 per process, 2 per thread),
// INCLUDE_IDLE, FACTOR (ns per unit), EXTENSION.
struct hkey_t {
    u64 section;
    u64 slot;
};

struct ext_t {
    u64 total;
    u64 count;
};

BPF_HASH(start, u32, u64, 10240);
#if SECTION
BPF_HISTOGRAM(dist, struct hkey_t);
#else
BPF_HISTOGRAM(dist);
#endif
BPF_HASH(ext, u64, struct ext_t);

static __always_inline int wanted(struct task_struct *p)
{
    if (!INCLUDE_IDLE && p->pid == 0)
        return 0;
    return FILTER_TGID < 0 || p->tgid == FILTER_TGID;
}

static __always_inline void stamp(struct task_struct *p, u64 now)
{
    if (!wanted(p))
        return;
    u32 tid = p->pid;
    start.update(&tid, &now);
}

static __always_inline void account(struct task_struct *p, u64 now)
{
    if (!wanted(p))
        return;
    u32 tid = p->pid;
    u64 *tsp = start.lookup(&tid);
    if (!tsp)
        return;
    u64 delta = (now - *tsp) / FACTOR;
    start.delete(&tid);
    u64 section = SECTION == 1 ? p->tgid : SECTION == 2 ? p->pid : 0;
#if SECTION
    struct hkey_t key = {.section = section, .slot = bpf_log2l(delta)};
    dist.atomic_increment(key);
#else
    dist.atomic_increment(bpf_log2l(delta));
#endif
    if (EXTENSION) {
        struct ext_t zero = {};
        struct ext_t *e = ext.lookup_or_try_init(&section, &zero);
        if (e) {
            __sync_fetch_and_add(&e->total, delta);
            __sync_fetch_and_add(&e->count, 1);
        }
    }
}

RAW_TRACEPOINT_PROBE(sched_switch)
{
    struct task_struct *prev = (struct task_struct *)ctx->args[1];
    struct task_struct *next = (struct task_struct *)ctx->args[2];
    u64 now = bpf_ktime_get_ns();
#if OFFCPU
    // off-CPU: from switching out to switching back in
    stamp(prev, now);
    account(next, now);
#else
    // on-CPU: from switching in to switching out
    account(prev, now);
    stamp(next, now);
#endif
    return 0;
}
