// jbcc runqlen: at each timed sample of a CPU, how many tasks wait on the run queue of the task
// that runs there (its CFS queue, less itself), as a linear histogram. The tool attaches
// do_perf_event to a cpu-clock perf event on each CPU.
// Defines: NR_QUEUED (1: the cfs_rq member counting queued tasks is nr_queued, as since 6.14;
// 0: nr_running, as before), PER_CPU.
struct hkey_t {
    u64 cpu;
    u64 slot;
};

#if PER_CPU
BPF_HISTOGRAM(dist, struct hkey_t);
#else
BPF_HISTOGRAM(dist);
#endif

int do_perf_event(struct bpf_perf_event_data *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct cfs_rq *cfs = task->se.cfs_rq;
#if NR_QUEUED
    u64 len = cfs->nr_queued;
#else
    u64 len = cfs->nr_running;
#endif
    // the running task is not waiting
    if (len > 0)
        len--;
#if PER_CPU
    struct hkey_t key = {.cpu = bpf_get_smp_processor_id(), .slot = len};
    dist.atomic_increment(key);
#else
    dist.atomic_increment(len);
#endif
    return 0;
}
