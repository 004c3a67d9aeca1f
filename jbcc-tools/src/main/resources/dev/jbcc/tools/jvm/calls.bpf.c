// jbcc jvm calls: Java method calls counted by method, from hotspot:method__entry and
// method__return (arguments: Java thread id, class, method and signature, each pointer and length).
// HotSpot fires them only with -XX:+DTraceMethodProbes; the tool checks that first.
// Under LATENCY (-L) each return adds the time since the same thread entered the same method
// (a recursive call's inner entry overwrites the outer one, as in bcc).
// Under SYSCALLS (-S, its value the traced pid) the JVM's syscalls are counted too, by number, from
// raw_syscalls:sys_enter (and, under LATENCY, timed to sys_exit).
// Defines: SKIP_PID (jbcc's own JVM when every JVM is traced, else 0), LATENCY, SYSCALLS.
#define NAME_LEN 64

struct method_t {
    char klass[NAME_LEN];
    char method[NAME_LEN];
};

struct entry_t {
    u64 tid;
    struct method_t method;
};

struct info_t {
    u64 calls;
    u64 total_ns;
};

BPF_HASH(counts, struct method_t, struct info_t, 10240);
#ifdef LATENCY
BPF_HASH(entries, struct entry_t, u64, 10240);
#endif

static void read_method(struct method_t *m, u64 klass, u64 klass_len, u64 method, u64 method_len)
{
    if (klass_len > NAME_LEN - 1)
        klass_len = NAME_LEN - 1;
    if (method_len > NAME_LEN - 1)
        method_len = NAME_LEN - 1;
    bpf_probe_read_user(m->klass, klass_len, (void *)klass);
    bpf_probe_read_user(m->method, method_len, (void *)method);
}

int method_entry(struct pt_regs *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) == SKIP_PID)
        return 0;
    struct entry_t e = { .tid = id };
    u64 klass = 0, klass_len = 0, method = 0, method_len = 0;
    bpf_usdt_readarg(2, ctx, &klass);
    bpf_usdt_readarg(3, ctx, &klass_len);
    bpf_usdt_readarg(4, ctx, &method);
    bpf_usdt_readarg(5, ctx, &method_len);
    read_method(&e.method, klass, klass_len, method, method_len);
#ifdef LATENCY
    u64 now = bpf_ktime_get_ns();
    entries.update(&e, &now);
#else
    struct info_t zero = {};
    struct info_t *info = counts.lookup_or_try_init(&e.method, &zero);
    if (info)
        __sync_fetch_and_add(&info->calls, 1);
#endif
    return 0;
}

#ifdef LATENCY
int method_return(struct pt_regs *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) == SKIP_PID)
        return 0;
    struct entry_t e = { .tid = id };
    u64 klass = 0, klass_len = 0, method = 0, method_len = 0;
    bpf_usdt_readarg(2, ctx, &klass);
    bpf_usdt_readarg(3, ctx, &klass_len);
    bpf_usdt_readarg(4, ctx, &method);
    bpf_usdt_readarg(5, ctx, &method_len);
    read_method(&e.method, klass, klass_len, method, method_len);
    u64 *start = entries.lookup(&e);
    if (!start)
        return 0;               // entered before tracing began
    u64 elapsed = bpf_ktime_get_ns() - *start;
    entries.delete(&e);
    struct info_t zero = {};
    struct info_t *info = counts.lookup_or_try_init(&e.method, &zero);
    if (info) {
        __sync_fetch_and_add(&info->calls, 1);
        __sync_fetch_and_add(&info->total_ns, elapsed);
    }
    return 0;
}
#endif

#ifdef SYSCALLS
BPF_HASH(syscalls, u64, struct info_t, 1024);
#ifdef LATENCY
struct syscall_entry_t {
    u64 nr;
    u64 ts;
};
BPF_HASH(syscall_entries, u64, struct syscall_entry_t, 10240);
#endif

TRACEPOINT_PROBE(raw_syscalls, sys_enter)
{
    u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) != SYSCALLS)
        return 0;
    u64 nr = args->id;
#ifdef LATENCY
    struct syscall_entry_t e = { .nr = nr, .ts = bpf_ktime_get_ns() };
    syscall_entries.update(&id, &e);
#else
    struct info_t zero = {};
    struct info_t *info = syscalls.lookup_or_try_init(&nr, &zero);
    if (info)
        __sync_fetch_and_add(&info->calls, 1);
#endif
    return 0;
}

#ifdef LATENCY
TRACEPOINT_PROBE(raw_syscalls, sys_exit)
{
    u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) != SYSCALLS)
        return 0;
    struct syscall_entry_t *e = syscall_entries.lookup(&id);
    if (!e)
        return 0;               // entered before tracing began
    u64 nr = e->nr;
    u64 elapsed = bpf_ktime_get_ns() - e->ts;
    syscall_entries.delete(&id);
    struct info_t zero = {};
    struct info_t *info = syscalls.lookup_or_try_init(&nr, &zero);
    if (info) {
        __sync_fetch_and_add(&info->calls, 1);
        __sync_fetch_and_add(&info->total_ns, elapsed);
    }
    return 0;
}
#endif
#endif
