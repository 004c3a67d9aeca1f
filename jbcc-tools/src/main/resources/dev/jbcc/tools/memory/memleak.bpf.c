// jbcc memleak: allocations not freed yet, by the stack that made them. In a process (USER): the
// C library's allocators by uprobes; else the kernel's, by the kmem tracepoints. An allocation's
// size is kept per thread from entry to return, its address then maps to {size, time, stack}
// until it is freed. Defines: USER, MIN_SIZE, MAX_SIZE, SAMPLE_EVERY, STACK_FLAGS, and for the
// kernel HAVE_KMALLOC, HAVE_KMEM_CACHE, HAVE_PAGES (the tracepoints there are).
struct alloc_info_t {
    u64 size;
    u64 timestamp_ns;
    int stack_id;
};

BPF_HASH(sizes, u64, u64, 10240);
BPF_HASH(allocs, u64, struct alloc_info_t, 1000000);
BPF_HASH(memptrs, u64, u64, 10240);
BPF_STACK_TRACE(stack_traces, 10240);

static __always_inline int alloc_enter(u64 size)
{
    if (size < MIN_SIZE || size > MAX_SIZE)
        return 0;
    if (SAMPLE_EVERY > 1 && bpf_ktime_get_ns() % SAMPLE_EVERY != 0)
        return 0;
    u64 id = bpf_get_current_pid_tgid();
    sizes.update(&id, &size);
    return 0;
}

static __always_inline int alloc_exit(void *ctx, u64 address)
{
    u64 id = bpf_get_current_pid_tgid();
    u64 *size = sizes.lookup(&id);
    if (!size)
        return 0;
    struct alloc_info_t info = {.size = *size};
    sizes.delete(&id);
    if (address != 0) {
        info.timestamp_ns = bpf_ktime_get_ns();
        info.stack_id = stack_traces.get_stackid(ctx, STACK_FLAGS);
        allocs.update(&address, &info);
    }
    return 0;
}

static __always_inline int free_enter(u64 address)
{
    allocs.delete(&address);
    return 0;
}

#if USER
int malloc_enter(struct pt_regs *ctx, size_t size)
{
    return alloc_enter(size);
}

int calloc_enter(struct pt_regs *ctx, size_t nmemb, size_t size)
{
    return alloc_enter(nmemb * size);
}

int realloc_enter(struct pt_regs *ctx, void *ptr, size_t size)
{
    free_enter((u64)ptr);
    return alloc_enter(size);
}

int posix_memalign_enter(struct pt_regs *ctx, void **memptr, size_t alignment, size_t size)
{
    u64 id = bpf_get_current_pid_tgid();
    u64 where = (u64)memptr;
    memptrs.update(&id, &where);
    return alloc_enter(size);
}

int aligned_alloc_enter(struct pt_regs *ctx, size_t alignment, size_t size)
{
    return alloc_enter(size);
}

int valloc_enter(struct pt_regs *ctx, size_t size)
{
    return alloc_enter(size);
}

int alloc_return(struct pt_regs *ctx)
{
    return alloc_exit(ctx, PT_REGS_RC(ctx));
}

int posix_memalign_return(struct pt_regs *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    u64 *where = memptrs.lookup(&id);
    if (!where)
        return 0;
    u64 address = 0;
    bpf_probe_read_user(&address, sizeof(address), (void *)*where);
    memptrs.delete(&id);
    return alloc_exit(ctx, address);
}

int free_call(struct pt_regs *ctx, void *address)
{
    return free_enter((u64)address);
}
#else
#if HAVE_KMALLOC
TRACEPOINT_PROBE(kmem, kmalloc)
{
    alloc_enter(args->bytes_alloc);
    return alloc_exit(args, (u64)args->ptr);
}

TRACEPOINT_PROBE(kmem, kfree)
{
    return free_enter((u64)args->ptr);
}
#endif

#if HAVE_KMEM_CACHE
TRACEPOINT_PROBE(kmem, kmem_cache_alloc)
{
    alloc_enter(args->bytes_alloc);
    return alloc_exit(args, (u64)args->ptr);
}

TRACEPOINT_PROBE(kmem, kmem_cache_free)
{
    return free_enter((u64)args->ptr);
}
#endif

#if HAVE_PAGES
TRACEPOINT_PROBE(kmem, mm_page_alloc)
{
    alloc_enter(4096ULL << args->order);
    return alloc_exit(args, args->pfn);
}

TRACEPOINT_PROBE(kmem, mm_page_free)
{
    return free_enter(args->pfn);
}
#endif
#endif
