// jbcc biosnoop: one event per completed block I/O, with the process that queued it. A request is
// known by its device and start sector: block_bio_queue runs in the submitter's context (its PID
// and command), block_rq_issue starts the device's clock, block_rq_complete ends it. These
// tracepoints carry the same facts on every kernel since 4.x. Defines: FILTER_DEV (-1: any),
// PATTERN (1: sequential or random per disk).
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

// bios that merge into a request never reach issue under their own sector: LRU lets them age out
BPF_TABLE("lru_hash", struct rq_t, struct who_t, who, 10240);
BPF_HASH(start, struct rq_t, struct start_t, 10240);
BPF_HASH(last_sector, u64, u64, 1024);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(block, block_bio_queue)
{
    if (FILTER_DEV >= 0 && args->dev != FILTER_DEV)
        return 0;
    struct rq_t rq = {.dev = args->dev, .sector = args->sector};
    struct who_t w = {.ts = bpf_ktime_get_ns(), .pid = bpf_get_current_pid_tgid() >> 32};
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
    events.perf_submit(args, &e, sizeof(e));
    return 0;
}
