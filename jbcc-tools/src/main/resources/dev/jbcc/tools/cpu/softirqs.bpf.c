// jbcc softirqs: time in (or number of) soft interrupts, per kind, from the irq tracepoints'
// vector numbers. Defines: MODE (0 total time, 1 count, 2 histogram), FILTER_CPU (-1: any),
// FACTOR (ns per unit).
struct hkey_t {
    u64 vec;
    u64 slot;
};

struct entry_t {
    u64 ts;
    u64 vec;
};

BPF_PERCPU_ARRAY(start, struct entry_t, 1);
#if MODE == 2
BPF_HISTOGRAM(dist, struct hkey_t);
#else
BPF_HASH(dist, u64, u64);
#endif

TRACEPOINT_PROBE(irq, softirq_entry)
{
    if (FILTER_CPU >= 0 && bpf_get_smp_processor_id() != FILTER_CPU)
        return 0;
    u64 vec = args->vec;
#if MODE == 1
    dist.atomic_increment(vec);
    return 0;
#endif
    u32 zero = 0;
    struct entry_t *e = start.lookup(&zero);
    if (e) {
        e->ts = bpf_ktime_get_ns();
        e->vec = vec;
    }
    return 0;
}

TRACEPOINT_PROBE(irq, softirq_exit)
{
#if MODE == 1
    return 0;
#endif
    u32 zero = 0;
    struct entry_t *e = start.lookup(&zero);
    if (!e || e->ts == 0 || e->vec != args->vec)
        return 0;
    u64 delta = (bpf_ktime_get_ns() - e->ts) / FACTOR;
    e->ts = 0;
#if MODE == 2
    struct hkey_t key = {.vec = args->vec, .slot = bpf_log2l(delta)};
    dist.atomic_increment(key);
#else
    dist.atomic_increment(args->vec, delta);
#endif
    return 0;
}
