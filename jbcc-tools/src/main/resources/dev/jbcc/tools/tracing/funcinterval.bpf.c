// jbcc funcinterval: the time between one hit of the traced places and the next, as a log2
// histogram. The tool appends one function per place calling hit(). Defines: FILTER_PID (-1:
// any), FACTOR (ns per unit).
BPF_ARRAY(last, u64, 1);
BPF_HISTOGRAM(dist);

static __always_inline int hit(void)
{
    if (FILTER_PID >= 0 && (bpf_get_current_pid_tgid() >> 32) != FILTER_PID)
        return 0;
    u64 now = bpf_ktime_get_ns();
    int zero = 0;
    u64 *prev = last.lookup(&zero);
    if (!prev)
        return 0;
    u64 then = *prev;
    *prev = now;
    if (then != 0 && now > then)
        dist.atomic_increment(bpf_log2l((now - then) / FACTOR));
    return 0;
}
