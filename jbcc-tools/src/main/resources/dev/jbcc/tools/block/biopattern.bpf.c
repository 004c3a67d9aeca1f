// jbcc biopattern: per disk, whether each completed I/O starts where the one before it ended
// (sequential) or elsewhere (random), and the bytes. Defines: FILTER_DEV (-1: any).
struct counter_t {
    u64 bytes;
    u64 sequential;
    u64 random;
};

BPF_HASH(counters, u32, struct counter_t);
// where the disk's last I/O ended; kept across intervals, which clear counters
BPF_HASH(last_end, u32, u64);

TRACEPOINT_PROBE(block, block_rq_complete)
{
    u32 dev = args->dev;
    if (FILTER_DEV >= 0 && dev != FILTER_DEV)
        return 0;
    u64 sector = args->sector;
    u64 end = sector + args->nr_sector;
    u64 *last = last_end.lookup(&dev);
    if (last) {
        struct counter_t zero = {};
        struct counter_t *c = counters.lookup_or_try_init(&dev, &zero);
        if (c) {
            if (*last == sector)
                __sync_fetch_and_add(&c->sequential, 1);
            else
                __sync_fetch_and_add(&c->random, 1);
            __sync_fetch_and_add(&c->bytes, (u64)args->nr_sector * 512);
        }
    }
    last_end.update(&dev, &end);
    return 0;
}
