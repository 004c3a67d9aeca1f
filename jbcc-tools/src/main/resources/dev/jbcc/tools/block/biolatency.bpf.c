// jbcc biolatency: block I/O latency as a log2 histogram. A request is known by its device and
// start sector from issue (or insert, with -Q) to completion, which is what the block tracepoints
// carry on every kernel. Defines: QUEUED, SECTION (0 none, 1 disk, 2 flags), FILTER_DEV (-1: any),
// FACTOR (ns per unit), EXTENSION.
// both members 64-bit: a key with padding would hash its uninitialised bytes
struct rq_t {
    u64 dev;
    u64 sector;
};

struct hkey_t {
    u64 section;
    u64 slot;
};

struct ext_t {
    u64 total;
    u64 count;
};

BPF_HASH(start, struct rq_t, u64, 10240);
#if SECTION
BPF_HISTOGRAM(dist, struct hkey_t);
#else
BPF_HISTOGRAM(dist);
#endif
BPF_HASH(ext, u64, struct ext_t);

static __always_inline void remember(u32 dev, u64 sector)
{
    if (FILTER_DEV >= 0 && dev != FILTER_DEV)
        return;
    struct rq_t rq = {.dev = dev, .sector = sector};
    u64 ts = bpf_ktime_get_ns();
    start.update(&rq, &ts);
}

#if QUEUED
TRACEPOINT_PROBE(block, block_rq_insert)
{
    remember(args->dev, args->sector);
    return 0;
}
#endif

TRACEPOINT_PROBE(block, block_rq_issue)
{
    struct rq_t rq = {.dev = args->dev, .sector = args->sector};
    // with -Q the insert has started the clock already
    if (QUEUED && start.lookup(&rq))
        return 0;
    remember(args->dev, args->sector);
    return 0;
}

// the flags of an I/O from its rwbs text: R W D F (flush) S (sync) M (meta) A (readahead) ...
static __always_inline u64 flags_of(const char *rwbs)
{
    u64 flags = 0;
#pragma unroll
    for (int i = 0; i < 8; i++) {
        char c = rwbs[i];
        if (c == 'R') flags |= 1;
        else if (c == 'W') flags |= 2;
        else if (c == 'D') flags |= 4;
        else if (c == 'F') flags |= 8;
        else if (c == 'S') flags |= 16;
        else if (c == 'M') flags |= 32;
        else if (c == 'A') flags |= 64;
        else if (c == 'E') flags |= 128;
    }
    return flags;
}

TRACEPOINT_PROBE(block, block_rq_complete)
{
    struct rq_t rq = {.dev = args->dev, .sector = args->sector};
    u64 *tsp = start.lookup(&rq);
    if (!tsp)
        return 0;
    u64 delta = (bpf_ktime_get_ns() - *tsp) / FACTOR;
    start.delete(&rq);
    u64 section = 0;
    if (SECTION == 1)
        section = args->dev;
    else if (SECTION == 2) {
        char rwbs[8] = {};
        bpf_probe_read_kernel(rwbs, sizeof(rwbs), args->rwbs);
        section = flags_of(rwbs);
    }
#if SECTION
    struct hkey_t key = {.section = section, .slot = bpf_log2l(delta)};
    dist.increment(key);
#else
    dist.increment(bpf_log2l(delta));
#endif
    if (EXTENSION) {
        struct ext_t zero = {};
        struct ext_t *e = ext.lookup_or_try_init(&section, &zero);
        if (e) {
            __sync_fetch_and_add(&e->total, delta);
            __sync_fetch_and_add(&e->count, 1);
        }
    }
    return 0;
}
