// The bcc program of examples/OpenSnoop.java: openat(2) entry and exit tracepoints paired through a
// hash, each finished call sent with BPF_PERF_OUTPUT. scripts/bench.d/50-compile loads it from the
// compile cache (BccLoadTime) to time BPF.fromText of a cached program.
#include <linux/sched.h>

#define PATH_LEN 256

struct call_t {
    const char *filename;   // a user-space pointer, read once the call returned
};

struct data_t {
    u32 pid;
    u32 tid;
    int ret;                 // the fd, or -errno
    char comm[TASK_COMM_LEN];
    char path[PATH_LEN];
};

BPF_HASH(calls, u64, struct call_t);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
    u64 id = bpf_get_current_pid_tgid();
    struct call_t call = {};
    call.filename = args->filename;
    calls.update(&id, &call);
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_openat) {
    u64 id = bpf_get_current_pid_tgid();
    struct call_t *call = calls.lookup(&id);
    if (call == 0)
        return 0;   // entered before we attached
    struct data_t data = {};
    data.pid = id >> 32;
    data.tid = (u32) id;
    data.ret = args->ret;
    bpf_get_current_comm(&data.comm, sizeof(data.comm));
    // At entry the path may not have been paged in yet; after the call the kernel read it.
    bpf_probe_read_user_str(&data.path, sizeof(data.path), call->filename);
    events.perf_submit(args, &data, sizeof(data));
    calls.delete(&id);
    return 0;
}
