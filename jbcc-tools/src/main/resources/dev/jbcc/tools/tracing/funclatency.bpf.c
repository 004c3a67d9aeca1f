// jbcc funclatency: the time from entry to return of the traced functions, as a log2 histogram.
// The tool appends an entry and a return function per traced function, calling enter()/leave()
// with its index. Each thread keeps a stack of LEVEL start times, so that nested or recursive
// calls are timed up to LEVEL deep (bcc's -l; deeper ones are counted but not timed).
// Defines: FILTER_PID (-1: any), LEVEL, FACTOR (ns per unit), PER_FUNCTION.
struct starts_t {
    u64 ts[LEVEL];
    u64 depth;
};

struct hkey_t {
    u64 site;
    u64 slot;
};

BPF_HASH(starts, u32, struct starts_t, 10240);
#if PER_FUNCTION
BPF_HISTOGRAM(dist, struct hkey_t);
#else
BPF_HISTOGRAM(dist);
#endif
BPF_ARRAY(avg, u64, 2);

// the stack is copied, changed and stored back: updates of one thread's entry never race
static __always_inline int enter(u32 site)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    u32 tid = (u32)id;
    struct starts_t s = {};
    struct starts_t *p = starts.lookup(&tid);
    if (p)
        __builtin_memcpy(&s, p, sizeof(s));
    u64 d = s.depth;
    if (d < LEVEL)
        s.ts[d] = bpf_ktime_get_ns();
    s.depth = d + 1;
    starts.update(&tid, &s);
    return 0;
}

static __always_inline int leave(u32 site)
{
    u64 now = bpf_ktime_get_ns();
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct starts_t *p = starts.lookup(&tid);
    if (!p || p->depth == 0)
        return 0;
    u64 d = p->depth - 1;
    if (d == 0) {
        u64 start = p->ts[0];
        starts.delete(&tid);
        now -= start;
    } else {
        struct starts_t s = {};
        __builtin_memcpy(&s, p, sizeof(s));
        s.depth = d;
        starts.update(&tid, &s);
        if (d >= LEVEL)
            return 0;
        now -= s.ts[d];
    }
    u64 delta = now / FACTOR;
#if PER_FUNCTION
    struct hkey_t key = {.site = site, .slot = bpf_log2l(delta)};
    dist.increment(key);
#else
    dist.increment(bpf_log2l(delta));
#endif
    int total = 0, count = 1;
    u64 *t = avg.lookup(&total);
    if (t)
        __sync_fetch_and_add(t, delta);
    u64 *c = avg.lookup(&count);
    if (c)
        __sync_fetch_and_add(c, 1);
    return 0;
}
