// jbcc slabratetop: allocations from each kernel slab cache, counted by the cache's name with the
// bytes they took: kmem_cache_alloc() and its _lru and _node variants by kprobe (the tool attaches
// count_alloc to those the kernel has), or the kmem:kmem_cache_alloc tracepoint where it carries
// the cache's name (Linux 6.2+).
struct key_t {
    char name[32];
};

struct val_t {
    u64 count;
    u64 size;
};

BPF_HASH(counts, struct key_t, struct val_t);

static __always_inline void count(struct key_t *key, u64 size)
{
    struct val_t zero = {};
    struct val_t *v = counts.lookup_or_try_init(key, &zero);
    if (v) {
        __sync_fetch_and_add(&v->count, 1);
        __sync_fetch_and_add(&v->size, size);
    }
}

#ifdef HOOK_KPROBE
int count_alloc(struct pt_regs *ctx, struct kmem_cache *cachep)
{
    struct key_t key = {};
    bpf_probe_read_kernel_str(key.name, sizeof(key.name), cachep->name);
    count(&key, cachep->size);
    return 0;
}
#else
TRACEPOINT_PROBE(kmem, kmem_cache_alloc)
{
    struct key_t key = {};
    TP_DATA_LOC_READ_CONST(key.name, name, sizeof(key.name) - 1);
    count(&key, args->bytes_alloc);
    return 0;
}
#endif
