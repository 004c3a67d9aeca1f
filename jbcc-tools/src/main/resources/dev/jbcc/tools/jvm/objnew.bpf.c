// jbcc jvm objnew: object allocations counted by class, from hotspot:object__alloc (arguments: Java
// thread id, class name pointer and length, size in bytes). HotSpot fires it only with
// -XX:+DTraceAllocProbes (or -XX:+ExtendedDTraceProbes); the tool checks that first.
// Defines: SKIP_PID (jbcc's own JVM when every JVM is traced, else 0).
#define NAME_LEN 80

struct key_t {
    char name[NAME_LEN];
};

struct val_t {
    u64 count;
    u64 bytes;
};

BPF_HASH(allocs, struct key_t, struct val_t, 10240);

int object_alloc(struct pt_regs *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) == SKIP_PID)
        return 0;
    struct key_t key = {};
    u64 name = 0, len = 0, size = 0;
    bpf_usdt_readarg(2, ctx, &name);
    bpf_usdt_readarg(3, ctx, &len);
    bpf_usdt_readarg(4, ctx, &size);
    if (len > NAME_LEN - 1)
        len = NAME_LEN - 1;
    bpf_probe_read_user(key.name, len, (void *)name);
    struct val_t zero = {};
    struct val_t *v = allocs.lookup_or_try_init(&key, &zero);
    if (v) {
        __sync_fetch_and_add(&v->count, 1);
        __sync_fetch_and_add(&v->bytes, size);
    }
    return 0;
}
