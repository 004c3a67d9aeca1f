// jbcc jvm compile: methods as the JIT compiles them, from hotspot:method__compile__begin and
// method__compile__end (arguments: compiler, class, method and signature, each pointer and length;
// the end adds success). A compiler thread compiles one method at a time: the begin's time, kept
// per thread, gives the duration.
// Defines: SKIP_PID (jbcc's own JVM when every JVM is traced, else 0).
#define NAME_LEN 128
#define SIG_LEN 128

struct compile_t {
    u32 pid;
    u8 success;
    u64 duration_ns;
    char compiler[16];
    char klass[NAME_LEN];
    char method[NAME_LEN];
    char signature[SIG_LEN];
};

BPF_PERF_OUTPUT(events);
BPF_HASH(started, u32, u64, 1024);          // compiler thread -> begin time
BPF_PERCPU_ARRAY(scratch, struct compile_t, 1);

static void read_string(char *dst, u32 size, u64 ptr, u64 len)
{
    if (len > size - 1)
        len = size - 1;
    bpf_probe_read_user(dst, len, (void *)ptr);
}

int compile_begin(struct pt_regs *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) == SKIP_PID)
        return 0;
    u32 tid = (u32)id;
    u64 now = bpf_ktime_get_ns();
    started.update(&tid, &now);
    return 0;
}

int compile_end(struct pt_regs *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    u64 *begin = started.lookup(&tid);
    if (!begin)
        return 0;
    int zero = 0;
    struct compile_t *c = scratch.lookup(&zero);
    if (!c) {
        started.delete(&tid);
        return 0;
    }
    __builtin_memset(c, 0, sizeof(*c));
    c->pid = id >> 32;
    c->duration_ns = bpf_ktime_get_ns() - *begin;
    started.delete(&tid);
    u64 compiler = 0, compiler_len = 0, klass = 0, klass_len = 0, method = 0, method_len = 0, sig = 0, sig_len = 0, ok = 0;
    bpf_usdt_readarg(1, ctx, &compiler);
    bpf_usdt_readarg(2, ctx, &compiler_len);
    bpf_usdt_readarg(3, ctx, &klass);
    bpf_usdt_readarg(4, ctx, &klass_len);
    bpf_usdt_readarg(5, ctx, &method);
    bpf_usdt_readarg(6, ctx, &method_len);
    bpf_usdt_readarg(7, ctx, &sig);
    bpf_usdt_readarg(8, ctx, &sig_len);
    bpf_usdt_readarg(9, ctx, &ok);
    c->success = ok != 0;
    read_string(c->compiler, sizeof(c->compiler), compiler, compiler_len);
    read_string(c->klass, NAME_LEN, klass, klass_len);
    read_string(c->method, NAME_LEN, method, method_len);
    read_string(c->signature, SIG_LEN, sig, sig_len);
    events.perf_submit(ctx, c, sizeof(*c));
    return 0;
}
