// jbcc hardirqs: time in (or number of) hard interrupt handlers, per handler name. The raw irq
// tracepoints pass the irqaction, whose name is what /proc/interrupts shows.
// Defines: MODE (0 total time, 1 count, 2 histogram), FILTER_CPU (-1: any), FACTOR (ns per unit).
struct irq_key_t {
    char name[32];
};

struct hkey_t {
    char name[32];
    u64 slot;
};

struct entry_t {
    u64 ts;
    u64 action;
};

BPF_PERCPU_ARRAY(start, struct entry_t, 1);
#if MODE == 2
BPF_HISTOGRAM(dist, struct hkey_t);
#else
BPF_HASH(dist, struct irq_key_t, u64);
#endif

RAW_TRACEPOINT_PROBE(irq_handler_entry)
{
    if (FILTER_CPU >= 0 && bpf_get_smp_processor_id() != FILTER_CPU)
        return 0;
    struct irqaction *action = (struct irqaction *)ctx->args[1];
#if MODE == 1
    struct irq_key_t key = {};
    bpf_probe_read_kernel_str(&key.name, sizeof(key.name), action->name);
    dist.atomic_increment(key);
    return 0;
#endif
    u32 zero = 0;
    struct entry_t *e = start.lookup(&zero);
    if (e) {
        e->ts = bpf_ktime_get_ns();
        e->action = (u64)action;
    }
    return 0;
}

RAW_TRACEPOINT_PROBE(irq_handler_exit)
{
#if MODE == 1
    return 0;
#endif
    struct irqaction *action = (struct irqaction *)ctx->args[1];
    u32 zero = 0;
    struct entry_t *e = start.lookup(&zero);
    if (!e || e->ts == 0 || e->action != (u64)action)
        return 0;
    u64 delta = (bpf_ktime_get_ns() - e->ts) / FACTOR;
    e->ts = 0;
#if MODE == 2
    struct hkey_t key = {.slot = bpf_log2l(delta)};
    bpf_probe_read_kernel_str(&key.name, sizeof(key.name), action->name);
    dist.atomic_increment(key);
#else
    struct irq_key_t key = {};
    bpf_probe_read_kernel_str(&key.name, sizeof(key.name), action->name);
    dist.atomic_increment(key, delta);
#endif
    return 0;
}
