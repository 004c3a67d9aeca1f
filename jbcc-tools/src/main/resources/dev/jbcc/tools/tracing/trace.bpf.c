// jbcc trace: an event per hit of each probe, with the values its format string asks for. The
// tool appends, per probe, its event struct, a perf buffer and a function that checks the filters
// (header() here, then the probe's predicate), fills the event and submits it. Defines:
// FILTER_PID, FILTER_TID, FILTER_UID, SELF_PID (-1: none), STACKS.
#if STACKS
BPF_STACK_TRACE(stacks, 4096);
#endif

// the fields every event starts with
#define TRACE_HEADER         \
    u64 timestamp_ns;        \
    u32 tgid;                \
    u32 pid;                 \
    u32 cpu;                 \
    int kernel_stack_id;     \
    int user_stack_id;       \
    char comm[TASK_COMM_LEN]

// false when the process, thread or user is filtered out
static __always_inline bool wanted(void)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tgid = id >> 32, tid = (u32)id;
    if (SELF_PID >= 0 && tgid == SELF_PID)
        return false;
    if (FILTER_PID >= 0 && tgid != FILTER_PID)
        return false;
    if (FILTER_TID >= 0 && tid != FILTER_TID)
        return false;
    if (FILTER_UID >= 0 && (u32)bpf_get_current_uid_gid() != FILTER_UID)
        return false;
    return true;
}

// a string from memory that may be the kernel's or the process's (user first with user_first)
static __always_inline void read_str(char *dst, u32 size, const void *src, bool user_first)
{
    long n = user_first ? bpf_probe_read_user_str(dst, size, src) : bpf_probe_read_kernel_str(dst, size, src);
    if (n < 0)
        n = user_first ? bpf_probe_read_kernel_str(dst, size, src) : bpf_probe_read_user_str(dst, size, src);
    if (n < 0)
        dst[0] = 0;
}
