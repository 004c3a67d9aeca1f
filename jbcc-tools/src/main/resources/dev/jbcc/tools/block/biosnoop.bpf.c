// jbcc biosnoop and biotop: each completed block I/O with the process that queued it. A request is
// known by its device and start sector: block_bio_queue runs in the submitter's context (its PID
// and command), block_rq_issue starts the device's clock, block_rq_complete ends it. These
// tracepoints carry the same facts on every kernel since 4.x. Defines: FILTER_DEV, FILTER_PID
// (-1: any), PATTERN (1: sequential or random per disk), TOP (1: sum per process and disk in
// counts, biotop; 0: an event per I/O, biosnoop).
// all members 64-bit: a key with padding would hash its uninitialised bytes
struct rq_t {
    u64 dev;
    u64 sector;
};

struct who_t {
    u64 ts;
    u32 pid;
    char comm[TASK_COMM_LEN];
};

struct start_t {
    u64 ts;        // issued
    u64 queued;    // queued by the process (0: unknown)
    u64 bytes;
    u32 pid;
    char comm[TASK_COMM_LEN];
};

struct event_t {
    u64 ts;
    u64 delta;
    u64 qdelta;
    u64 sector;
    u64 bytes;
    u32 dev;
    u32 pid;
    u32 write;
    u32 pattern;   // 0 unknown, 1 sequential, 2 random
    char comm[TASK_COMM_LEN];
};

// biotop's key and sums
struct top_t {
    u32 pid;
    u32 write;
    u64 dev;
    char comm[TASK_COMM_LEN];
};

struct sums_t {
    u64 bytes;
    u64 us;
    u64 io;
};

// bios that merge into a request never reach issue under their own sector: LRU lets them age out
BPF_TABLE("lru_hash", struct rq_t, struct who_t, who, 10240);
BPF_HASH(start, struct rq_t, struct start_t, 10240);
BPF_HASH(last_sector, u64, u64, 1024);
#if TOP
BPF_HASH(counts, struct top_t, struct sums_t, 10240);
#else
BPF_PERF_OUTPUT(events);
#endif

TRACEPOINT_PROBE(block, block_bio_queue)
{
    if (FILTER_DEV >= 0 && args->dev != FILTER_DEV)
        return 0;
    struct rq_t rq = {.dev = args->dev, .sector = args->sector};
    struct who_t w = {.ts = bpf_ktime_get_ns(), .pid = bpf_get_current_pid_tgid() >> 32};
    if (FILTER_PID >= 0 && w.pid != FILTER_PID)
        return 0;
    bpf_get_current_comm(&w.comm, sizeof(w.comm));
    who.update(&rq, &w);
    return 0;
}

TRACEPOINT_PROBE(block, block_rq_issue)
{
    if (FILTER_DEV >= 0 && args->dev != FILTER_DEV)
        return 0;
    struct rq_t rq = {.dev = args->dev, .sector = args->sector};
    struct start_t s = {.ts = bpf_ktime_get_ns(), .bytes = args->bytes};
    struct who_t *w = who.lookup(&rq);
    if (w) {
        s.queued = w->ts;
        s.pid = w->pid;
        __builtin_memcpy(s.comm, w->comm, sizeof(s.comm));
        who.delete(&rq);
    } else if (FILTER_PID >= 0) {
        return 0;
    } else {
        s.comm[0] = '?';
    }
    start.update(&rq, &s);
    return 0;
}

TRACEPOINT_PROBE(block, block_rq_complete)
{
    struct rq_t rq = {.dev = args->dev, .sector = args->sector};
    struct start_t *s = start.lookup(&rq);
    if (!s)
        return 0;
    u64 now = bpf_ktime_get_ns();
    struct event_t e = {
        .ts = now,
        .delta = now - s->ts,
        .qdelta = s->queued ? s->ts - s->queued : 0,
        .sector = args->sector,
        .bytes = s->bytes,
        .dev = args->dev,
        .pid = s->pid,
    };
    __builtin_memcpy(e.comm, s->comm, sizeof(e.comm));
    char rwbs[8] = {};
    bpf_probe_read_kernel(rwbs, sizeof(rwbs), args->rwbs);
#pragma unroll
    for (int i = 0; i < 8; i++) {
        if (rwbs[i] == 'W')
            e.write = 1;
    }
    if (PATTERN) {
        u64 dev = args->dev;
        u64 *last = last_sector.lookup(&dev);
        if (last)
            e.pattern = *last == args->sector ? 1 : 2;
        u64 next = args->sector + s->bytes / 512;
        last_sector.update(&dev, &next);
    }
    start.delete(&rq);
#if TOP
    struct top_t key = {.pid = e.pid, .write = e.write, .dev = e.dev};
    __builtin_memcpy(key.comm, e.comm, sizeof(key.comm));
    struct sums_t zero = {};
    struct sums_t *sums = counts.lookup_or_try_init(&key, &zero);
    if (sums) {
        __sync_fetch_and_add(&sums->bytes, e.bytes);
        __sync_fetch_and_add(&sums->us, e.delta / 1000);
        __sync_fetch_and_add(&sums->io, 1);
    }
#else
    events.perf_submit(args, &e, sizeof(e));
#endif
    return 0;
}
