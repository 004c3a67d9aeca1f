// jbcc syncsnoop: the calls that flush file data to storage (sync, syncfs, fsync, fdatasync,
// sync_file_range, msync), each from its syscall's enter tracepoint.
// Defines: HAVE_SYNC_FILE_RANGE (not on every architecture).
enum call { CALL_SYNC, CALL_SYNCFS, CALL_FSYNC, CALL_FDATASYNC, CALL_SYNC_FILE_RANGE, CALL_MSYNC };

struct sync_t {
    u64 ts_ns;
    u32 pid;
    u32 call;
    char comm[TASK_COMM_LEN];
};

BPF_PERF_OUTPUT(events);

static __always_inline int called(void *ctx, enum call call)
{
    struct sync_t s = {.ts_ns = bpf_ktime_get_ns(), .pid = bpf_get_current_pid_tgid() >> 32, .call = call};
    bpf_get_current_comm(&s.comm, sizeof(s.comm));
    events.perf_submit(ctx, &s, sizeof(s));
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_enter_sync) { return called(args, CALL_SYNC); }
TRACEPOINT_PROBE(syscalls, sys_enter_syncfs) { return called(args, CALL_SYNCFS); }
TRACEPOINT_PROBE(syscalls, sys_enter_fsync) { return called(args, CALL_FSYNC); }
TRACEPOINT_PROBE(syscalls, sys_enter_fdatasync) { return called(args, CALL_FDATASYNC); }
TRACEPOINT_PROBE(syscalls, sys_enter_msync) { return called(args, CALL_MSYNC); }
#if HAVE_SYNC_FILE_RANGE
TRACEPOINT_PROBE(syscalls, sys_enter_sync_file_range) { return called(args, CALL_SYNC_FILE_RANGE); }
#endif
