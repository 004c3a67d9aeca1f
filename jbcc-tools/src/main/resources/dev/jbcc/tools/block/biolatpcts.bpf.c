// jbcc biolatpcts: latency of each completed request on one device, counted in linear buckets of
// growing width, from which user space reads percentiles. The raw tracepoint gives the request
// itself, so the latency can start where the user asks: at allocation (alloc_time_ns, which needs
// CONFIG_BLK_RQ_ALLOC_TIME and is 0 otherwise), when it was handed to the block layer
// (start_time_ns), or when it was issued to the device (io_start_time_ns).
// Defines: TARGET_DEV (kernel dev_t), WHICH (0 from-rq-alloc, 1 after-rq-alloc, 2 on-device).
#define BUCKETS 100          // per range
#define RANGES 4             // 10us, 100us, 1ms, 10ms wide: up to 1ms, 10ms, 100ms, 1s
#define OPS 4                // read, write, flush, discard (REQ_OP_*)
#define SLOTS (RANGES * BUCKETS + 1)   // the last: 1s and more

BPF_PERCPU_ARRAY(lat, u64, OPS * SLOTS);

RAW_TRACEPOINT_PROBE(block_rq_complete)
{
    struct request *rq = (struct request *)ctx->args[0];
    if (rq->part->bd_dev != TARGET_DEV)
        return 0;
    u64 from;
    if (WHICH == 0)
        from = rq->alloc_time_ns;
    else if (WHICH == 1)
        from = rq->start_time_ns;
    else
        from = rq->io_start_time_ns;
    if (!from)
        return 0;
    u64 now = bpf_ktime_get_ns();
    if (now < from)
        return 0;
    u64 us = (now - from) / 1000;
    u32 op = rq->cmd_flags & 0xff;
    if (op >= OPS)
        return 0;
    u32 slot;
    if (us < 1000)
        slot = us / 10;
    else if (us < 10000)
        slot = BUCKETS + (us - 1000) / 100;
    else if (us < 100000)
        slot = 2 * BUCKETS + (us - 10000) / 1000;
    else if (us < 1000000)
        slot = 3 * BUCKETS + (us - 100000) / 10000;
    else
        slot = RANGES * BUCKETS;
    u32 index = op * SLOTS + slot;
    lat.increment(index);
    return 0;
}
