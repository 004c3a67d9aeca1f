// jbcc klockstat: how long kernel mutexes take to acquire (mutex_lock's entry to its return) and
// how long they are held (its return to mutex_unlock), summed per kernel stack of the mutex_lock
// call. A thread may hold several: each lock is kept at the thread's nesting depth.
// Defines: THREAD_FILTER (an expression of tgid and tid), STACK_STORAGE, and with HOOK_FENTRY
// LOCK_NESTED when the kernel's lock function is mutex_lock_nested (kprobes attach from Java).

struct stat_t {
    u64 count;
    u64 max;
    u64 total;
};

struct nest_t {
    u64 id;
    u64 depth;
};

BPF_HASH(depths, u64, u64, 10240);          // thread → locks it took and holds
BPF_HASH(asked, u64, u64, 10240);           // thread → when it called mutex_lock
BPF_HASH(taken, struct nest_t, u64, 10240); // lock of a thread at a depth → when it got it
BPF_HASH(where, struct nest_t, s32, 10240); // … → its stack
BPF_HASH(acquire, s32, struct stat_t, 10240);
BPF_HASH(hold, s32, struct stat_t, 10240);
BPF_STACK_TRACE(stacks, STACK_STORAGE);

static __always_inline int wanted(u64 id)
{
    u32 tgid = id >> 32, tid = (u32) id;
    return THREAD_FILTER;
}

static __always_inline void add(struct stat_t *s, u64 ns)
{
    s->count++;
    s->total += ns;
    if (ns > s->max)
        s->max = ns;
}

static __always_inline int lock_enter(void *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    if (!wanted(id))
        return 0;
    u64 zero = 0;
    u64 *depth = depths.lookup_or_try_init(&id, &zero);
    if (!depth)
        return 0;
    struct nest_t n = {.id = id, .depth = *depth};
    s32 stack = stacks.get_stackid(ctx, 0);
    where.update(&n, &stack);
    u64 now = bpf_ktime_get_ns();
    asked.update(&id, &now);
    (*depth)++;
    return 0;
}

static __always_inline int lock_return(void)
{
    u64 id = bpf_get_current_pid_tgid();
    u64 *at = asked.lookup(&id);
    u64 *depth = depths.lookup(&id);
    if (!at || !depth || *depth == 0)
        return 0;
    struct nest_t n = {.id = id, .depth = *depth - 1};
    s32 *stack = where.lookup(&n);
    u64 now = bpf_ktime_get_ns();
    if (stack) {
        s32 key = *stack;
        struct stat_t fresh = {};
        struct stat_t *st = acquire.lookup_or_try_init(&key, &fresh);
        if (st)
            add(st, now - *at);
    }
    asked.delete(&id);
    taken.update(&n, &now);
    return 0;
}

static __always_inline int unlock_enter(void)
{
    u64 id = bpf_get_current_pid_tgid();
    u64 *depth = depths.lookup(&id);
    if (!depth || *depth == 0)
        return 0;
    (*depth)--;
    struct nest_t n = {.id = id, .depth = *depth};
    u64 *at = taken.lookup(&n);
    s32 *stack = where.lookup(&n);
    if (at && stack) {
        s32 key = *stack;
        struct stat_t fresh = {};
        struct stat_t *st = hold.lookup_or_try_init(&key, &fresh);
        if (st)
            add(st, bpf_ktime_get_ns() - *at);
    }
    taken.delete(&n);
    where.delete(&n);
    return 0;
}

#if defined(HOOK_KPROBE)
int on_lock(struct pt_regs *ctx) { return lock_enter(ctx); }
int on_locked(struct pt_regs *ctx) { return lock_return(); }
int on_unlock(struct pt_regs *ctx) { return unlock_enter(); }
#elif defined(HOOK_FENTRY)
#ifdef LOCK_NESTED
KFUNC_PROBE(mutex_lock_nested) { return lock_enter(ctx); }
KRETFUNC_PROBE(mutex_lock_nested) { return lock_return(); }
#else
KFUNC_PROBE(mutex_lock) { return lock_enter(ctx); }
KRETFUNC_PROBE(mutex_lock) { return lock_return(); }
#endif
KFUNC_PROBE(mutex_unlock) { return unlock_enter(); }
#endif
