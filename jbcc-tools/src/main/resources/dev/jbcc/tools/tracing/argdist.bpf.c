// jbcc argdist: a frequency count (-C) or log2 histogram (-H) of values computed at each hit of
// the traced places. The tool appends, per probe, its key struct, its table and a function that
// checks the filters (here, then the probe's own) and counts the values. Defines: FILTER_PID,
// FILTER_TID (-1: any), STRSIZE.

// false when the process or thread is filtered out
static __always_inline bool wanted(void)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return false;
    if (FILTER_TID >= 0 && (u32)id != FILTER_TID)
        return false;
    return true;
}
