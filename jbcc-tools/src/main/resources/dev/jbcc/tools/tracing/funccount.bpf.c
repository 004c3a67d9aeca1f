// jbcc funccount: a counter per traced place. The tool appends one small function per place
// (kernel function, user function or tracepoint) that calls count() with the place's index.
// Defines: NSITES (places), FILTER_PID, FILTER_CPU (-1: any).
BPF_ARRAY(counts, u64, NSITES);

static __always_inline int count(u32 site)
{
    if (FILTER_PID >= 0 && (bpf_get_current_pid_tgid() >> 32) != FILTER_PID)
        return 0;
    if (FILTER_CPU >= 0 && bpf_get_smp_processor_id() != FILTER_CPU)
        return 0;
    u64 *n = counts.lookup(&site);
    if (n)
        __sync_fetch_and_add(n, 1);
    return 0;
}
