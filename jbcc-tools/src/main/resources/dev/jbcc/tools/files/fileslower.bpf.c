// jbcc fileslower: synchronous file reads and writes slower than a threshold. The syscall enter
// tracepoints find the file behind the descriptor and start the clock per thread; the exit
// tracepoints stop it and send the slow ones.
// Defines: MIN_US, FILTER_PID (-1: any), ALL_FILES (else regular files only).
#include "fd_file.h"

enum mode { MODE_READ, MODE_WRITE };

struct start_t {
    u64 ts;
    u64 size;
    u32 mode;
    u32 name_len;
    char name[FILE_NAME_LEN];
};

struct slow_t {
    u64 delta_us;
    u64 size;
    u32 tid;
    u32 mode;
    u32 name_len;
    char name[FILE_NAME_LEN];
    char comm[TASK_COMM_LEN];
};

BPF_HASH(started, u32, struct start_t, 10240);
BPF_PERF_OUTPUT(events);

static __always_inline int enter(long fd, u64 size, u32 mode)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    struct file_info file = {};
    // I/O without a file name (pipes made by pipe(), anonymous files) is left out, as bcc does
    if (!fd_file(fd, &file) || file.name_len == 0 || (!ALL_FILES && (file.mode & MODE_TYPE) != MODE_REG))
        return 0;
    struct start_t s = {.ts = bpf_ktime_get_ns(), .size = size, .mode = mode, .name_len = file.name_len};
    __builtin_memcpy(s.name, file.name, sizeof(s.name));
    u32 tid = (u32)id;
    started.update(&tid, &s);
    return 0;
}

static __always_inline int leave(void *ctx)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct start_t *s = started.lookup(&tid);
    if (!s)
        return 0;
    u64 delta_us = (bpf_ktime_get_ns() - s->ts) / 1000;
    if (delta_us < MIN_US) {
        started.delete(&tid);
        return 0;
    }
    struct slow_t e = {.delta_us = delta_us, .size = s->size, .tid = tid, .mode = s->mode, .name_len = s->name_len};
    __builtin_memcpy(e.name, s->name, sizeof(e.name));
    started.delete(&tid);
    bpf_get_current_comm(&e.comm, sizeof(e.comm));
    events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_enter_read) { return enter(args->fd, args->count, MODE_READ); }
TRACEPOINT_PROBE(syscalls, sys_exit_read) { return leave(args); }
TRACEPOINT_PROBE(syscalls, sys_enter_pread64) { return enter(args->fd, args->count, MODE_READ); }
TRACEPOINT_PROBE(syscalls, sys_exit_pread64) { return leave(args); }
TRACEPOINT_PROBE(syscalls, sys_enter_write) { return enter(args->fd, args->count, MODE_WRITE); }
TRACEPOINT_PROBE(syscalls, sys_exit_write) { return leave(args); }
TRACEPOINT_PROBE(syscalls, sys_enter_pwrite64) { return enter(args->fd, args->count, MODE_WRITE); }
TRACEPOINT_PROBE(syscalls, sys_exit_pwrite64) { return leave(args); }
