// jbcc cpuunclaimed: the length of every CPU's run queue at (nearly) the same moment, many times a
// second. Each CPU samples itself often (a cpu-clock perf event per CPU, at PER_CPU_HZ) and
// leaves its latest run queue length in `latest`; every STRIDE-th sample of the LEADER CPU sends
// a snapshot of all CPUs with how old each one's value is. Sampling more often than snapshots
// keeps a snapshot's values within one per-CPU period of each other, whatever the timers' phases
// (which bcc's tool needed in step). The length is that of the current task's CPU run queue
// (struct rq's nr_running, the running task included) where cfs_rq links to its rq
// (CONFIG_FAIR_GROUP_SCHED), else the task's cfs_rq's count.
// Defines: NCPU, LEADER, STRIDE, VIA_RQ (1: cfs_rq has rq), CFS_COUNT (the cfs_rq's count:
// nr_running before 6.14, nr_queued since).
struct cpu_t {
    u64 ts;
    u64 len;
};

struct data_t {
    u64 ts;
    u64 lens[NCPU];
    u64 ages[NCPU];
};

BPF_ARRAY(latest, struct cpu_t, NCPU);
BPF_ARRAY(ticks, u64, 1);
BPF_PERCPU_ARRAY(scratch, struct data_t, 1);
BPF_PERF_OUTPUT(events);

static __always_inline u64 run_queue_length(void)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct cfs_rq *q = NULL;
    bpf_probe_read_kernel(&q, sizeof(q), &task->se.cfs_rq);
    if (!q)
        return 0;
    u32 n = 0;
#if VIA_RQ
    struct rq *rq = NULL;
    bpf_probe_read_kernel(&rq, sizeof(rq), &q->rq);
    if (rq)
        bpf_probe_read_kernel(&n, sizeof(n), &rq->nr_running);
#else
    bpf_probe_read_kernel(&n, sizeof(n), &q->CFS_COUNT);
#endif
    return n;
}

int do_perf_event(struct bpf_perf_event_data *ctx)
{
    u32 cpu = bpf_get_smp_processor_id();
    u64 now = bpf_ktime_get_ns();
    struct cpu_t *mine = latest.lookup(&cpu);
    if (!mine)
        return 0;
    mine->len = run_queue_length();
    mine->ts = now;
    if (cpu != LEADER)
        return 0;
    int zero = 0;
    u64 *tick = ticks.lookup(&zero);
    if (!tick || (*tick)++ % STRIDE != 0)
        return 0;
    struct data_t *data = scratch.lookup(&zero);
    if (!data)
        return 0;
    data->ts = now;
    for (u32 c = 0; c < NCPU; c++) {
        struct cpu_t *other = latest.lookup(&c);
        if (!other)
            break;
        data->lens[c] = other->len;
        data->ages[c] = other->ts ? now - other->ts : 0;
    }
    events.perf_submit(ctx, data, sizeof(*data));
    return 0;
}
