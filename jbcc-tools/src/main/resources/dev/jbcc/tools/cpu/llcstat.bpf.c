// jbcc llcstat: last-level cache references and misses by process (or thread) and CPU, from
// sampled hardware cache counters: the tool attaches on_cache_ref and on_cache_miss to the
// PERF_COUNT_HW_CACHE_REFERENCES and _MISSES events of every CPU; each sample stands for
// sample_period events. Defines: BY_TID.
struct key_t {
    u32 cpu;
    u32 pid;
    u32 tid;
    char name[TASK_COMM_LEN];
};

BPF_HASH(ref_count, struct key_t, u64);
BPF_HASH(miss_count, struct key_t, u64);

static __always_inline void key_of(struct key_t *key)
{
    u64 id = bpf_get_current_pid_tgid();
    key->cpu = bpf_get_smp_processor_id();
    key->pid = id >> 32;
    key->tid = BY_TID ? (u32)id : 0;
    bpf_get_current_comm(&key->name, sizeof(key->name));
}

int on_cache_ref(struct bpf_perf_event_data *ctx)
{
    struct key_t key = {};
    key_of(&key);
    ref_count.atomic_increment(key, ctx->sample_period);
    return 0;
}

int on_cache_miss(struct bpf_perf_event_data *ctx)
{
    struct key_t key = {};
    key_of(&key);
    miss_count.atomic_increment(key, ctx->sample_period);
    return 0;
}
