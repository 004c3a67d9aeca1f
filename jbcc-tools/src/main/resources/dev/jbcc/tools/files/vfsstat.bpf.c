// jbcc vfsstat: counts of VFS reads, writes, fsyncs, opens and creates. With kprobes or fentry the
// VFS functions themselves are counted; with tracepoints, the syscalls that reach them: the read
// and write families, fsync and fdatasync, opens that succeed, and creat() or opens with O_CREAT
// that succeed.
// Defines: FILTER_PID (-1: any), HAVE_OPEN (open and creat are not on every architecture).
enum vfs_stat { S_READ = 1, S_WRITE, S_FSYNC, S_OPEN, S_CREATE, S_MAX };

BPF_ARRAY(stats, u64, S_MAX);

static __always_inline void count(int key)
{
    if (FILTER_PID >= 0 && (bpf_get_current_pid_tgid() >> 32) != FILTER_PID)
        return;
    stats.atomic_increment(key);
}

#if defined(HOOK_KPROBE)
int kprobe__vfs_read(struct pt_regs *ctx) { count(S_READ); return 0; }
int kprobe__vfs_write(struct pt_regs *ctx) { count(S_WRITE); return 0; }
int kprobe__vfs_fsync_range(struct pt_regs *ctx) { count(S_FSYNC); return 0; }
int kprobe__vfs_open(struct pt_regs *ctx) { count(S_OPEN); return 0; }
int kprobe__vfs_create(struct pt_regs *ctx) { count(S_CREATE); return 0; }
#elif defined(HOOK_FENTRY)
KFUNC_PROBE(vfs_read) { count(S_READ); return 0; }
KFUNC_PROBE(vfs_write) { count(S_WRITE); return 0; }
KFUNC_PROBE(vfs_fsync_range) { count(S_FSYNC); return 0; }
KFUNC_PROBE(vfs_open) { count(S_OPEN); return 0; }
KFUNC_PROBE(vfs_create) { count(S_CREATE); return 0; }
#else
#ifndef O_CREAT
#define O_CREAT 0100
#endif
// threads in an open with O_CREAT, until it returns
BPF_HASH(creating, u32, u8, 10240);

static __always_inline void opening(u64 flags)
{
    if (!(flags & O_CREAT))
        return;
    u32 tid = (u32)bpf_get_current_pid_tgid();
    u8 yes = 1;
    creating.update(&tid, &yes);
}

static __always_inline void opened(long ret)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    u8 *c = creating.lookup(&tid);
    if (c)
        creating.delete(&tid);
    if (ret < 0)
        return;
    count(S_OPEN);
    if (c)
        count(S_CREATE);
}

TRACEPOINT_PROBE(syscalls, sys_enter_read) { count(S_READ); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_readv) { count(S_READ); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_pread64) { count(S_READ); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_preadv) { count(S_READ); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_preadv2) { count(S_READ); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_write) { count(S_WRITE); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_writev) { count(S_WRITE); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_pwrite64) { count(S_WRITE); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_pwritev) { count(S_WRITE); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_pwritev2) { count(S_WRITE); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_fsync) { count(S_FSYNC); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_fdatasync) { count(S_FSYNC); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_openat) { opening(args->flags); return 0; }
TRACEPOINT_PROBE(syscalls, sys_exit_openat) { opened(args->ret); return 0; }
#if HAVE_OPEN
TRACEPOINT_PROBE(syscalls, sys_enter_open) { opening(args->flags); return 0; }
TRACEPOINT_PROBE(syscalls, sys_exit_open) { opened(args->ret); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_creat) { opening(O_CREAT); return 0; }
TRACEPOINT_PROBE(syscalls, sys_exit_creat) { opened(args->ret); return 0; }
#endif
#endif
