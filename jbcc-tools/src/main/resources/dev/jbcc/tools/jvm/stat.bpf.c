// jbcc jvm stat: events of each JVM counted by kind, from HotSpot's probes: method__entry (needs
// -XX:+DTraceMethodProbes), gc__begin, object__alloc (needs -XX:+DTraceAllocProbes),
// class__loaded and thread__start. The tool reads and empties the counts every interval.
// Defines: SKIP_PID (jbcc's own JVM when every JVM is traced, else 0).
enum kind { METHOD = 0, GC, OBJNEW, CLOAD, THREAD };

struct key_t {
    u32 pid;
    u32 kind;
};

BPF_HASH(counts, struct key_t, u64, 10240);

static int count(u32 kind)
{
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    if (pid == SKIP_PID)
        return 0;
    struct key_t key = { .pid = pid, .kind = kind };
    u64 zero = 0;
    u64 *n = counts.lookup_or_try_init(&key, &zero);
    if (n)
        __sync_fetch_and_add(n, 1);
    return 0;
}

int method_entry(struct pt_regs *ctx) { return count(METHOD); }
int gc_begin(struct pt_regs *ctx) { return count(GC); }
int object_alloc(struct pt_regs *ctx) { return count(OBJNEW); }
int class_loaded(struct pt_regs *ctx) { return count(CLOAD); }
int thread_start(struct pt_regs *ctx) { return count(THREAD); }
