// deadlock: the lock-order graph of one process. Each thread keeps the mutexes it holds (with the
// user stack where it took each); taking mutex M while holding H records the edge H -> M. The
// tool looks for cycles in the edges. TGID, MAX_THREADS and MAX_EDGES come as -D defines.

#define HELD_MAX 8

// caller: the return address on top of the stack at the lock function's entry; a frame-pointer
// walk from there skips the lock's caller (its frame is not yet pushed)
struct held {
    u64 mutex;
    s64 stack;
    u64 caller;
};

struct holding {
    struct held slot[HELD_MAX];
};

struct edge_key {
    u64 held;
    u64 taken;
};

struct edge {
    s64 held_stack;
    s64 taken_stack;
    u64 held_caller;
    u64 taken_caller;
    u32 thread;
    char comm[TASK_COMM_LEN];
};

struct creation {
    s64 stack;
    u32 parent;
    char comm[TASK_COMM_LEN];
};

BPF_HASH(holdings, u32, struct holding, MAX_THREADS);
BPF_HASH(edges, struct edge_key, struct edge, MAX_EDGES);
BPF_HASH(creators, u32, struct creation, MAX_THREADS);
BPF_STACK_TRACE(stacks, 65536);

int on_lock(struct pt_regs *ctx)
{
    u64 mutex = PT_REGS_PARM1(ctx);
    u32 tid = bpf_get_current_pid_tgid();
    struct holding fresh = {};
    struct holding *h = holdings.lookup_or_try_init(&tid, &fresh);
    if (!h)
        return 0;
    // taking a mutex already held (a recursive mutex) adds nothing
#pragma unroll
    for (int i = 0; i < HELD_MAX; i++) {
        if (h->slot[i].mutex == mutex)
            return 0;
    }
    s64 stack = stacks.get_stackid(ctx, BPF_F_USER_STACK);
    u64 caller = 0;
    bpf_probe_read_user(&caller, sizeof(caller), (void *) PT_REGS_SP(ctx));
    int placed = 0;
#pragma unroll
    for (int i = 0; i < HELD_MAX; i++) {
        u64 held = h->slot[i].mutex;
        if (held == 0) {
            if (!placed) {
                h->slot[i].mutex = mutex;
                h->slot[i].stack = stack;
                h->slot[i].caller = caller;
                placed = 1;
            }
            continue;
        }
        struct edge_key k = {.held = held, .taken = mutex};
        struct edge e = {.held_stack = h->slot[i].stack, .taken_stack = stack, .held_caller = h->slot[i].caller,
                         .taken_caller = caller, .thread = tid};
        bpf_get_current_comm(&e.comm, sizeof(e.comm));
        edges.update(&k, &e);
    }
    return 0;
}

int on_unlock(struct pt_regs *ctx)
{
    u64 mutex = PT_REGS_PARM1(ctx);
    u32 tid = bpf_get_current_pid_tgid();
    struct holding *h = holdings.lookup(&tid);
    if (!h)
        return 0;
#pragma unroll
    for (int i = 0; i < HELD_MAX; i++) {
        if (h->slot[i].mutex == mutex) {
            h->slot[i].mutex = 0;
            h->slot[i].stack = 0;
            h->slot[i].caller = 0;
        }
    }
    return 0;
}

// a new thread (or process) of the traced process: who made it, and where
TRACEPOINT_PROBE(sched, sched_process_fork)
{
    u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) != TGID)
        return 0;
    u32 child = args->child_pid;
    struct creation c = {.parent = (u32) id};
    c.stack = stacks.get_stackid(args, BPF_F_USER_STACK);
    bpf_get_current_comm(&c.comm, sizeof(c.comm));
    creators.update(&child, &c);
    return 0;
}
