// jbcc's file system tools (ext4slower/ext4dist, xfsslower/xfsdist, btrfsslower/btrfsdist): one file
// system's read, write, open and fsync, timed from the entry of its file operation to its return.
// File systems have no tracepoints there: kprobes/kretprobes, or fentry/fexit.
// Defines: READ_FN, WRITE_FN, OPEN_FN, FSYNC_FN (the file system's read_iter, write_iter, open and
// fsync functions), FILTER_PID (-1: any), DIST (1: log2 histograms per operation, the *dist tools;
// 0: an event per operation of MIN_US microseconds or more, the *slower tools), FACTOR (ns per
// histogram unit).
#define TRACE_READ 0
#define TRACE_WRITE 1
#define TRACE_OPEN 2
#define TRACE_FSYNC 3

struct val_t {
    u64 ts;
    u64 offset;
    struct file *fp;
};

BPF_HASH(entryinfo, u64, struct val_t, 10240);

#if DIST
// the operation's name, then the slot: 8 + 8 bytes, no padding to hash
struct dist_key_t {
    char op[8];
    u64 slot;
};
BPF_HISTOGRAM(dist, struct dist_key_t);
#else
struct data_t {
    u64 ts_us;
    u64 type;
    s64 size;
    u64 offset;
    u64 delta_us;
    u32 pid;
    char task[TASK_COMM_LEN];
    char file[DNAME_INLINE_LEN];
};
BPF_PERF_OUTPUT(events);
#endif

static __always_inline int entry(struct file *fp, u64 offset)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    struct val_t val = {.ts = bpf_ktime_get_ns(), .offset = offset, .fp = fp};
    if (fp)
        entryinfo.update(&id, &val);
    return 0;
}

static __always_inline int done(void *ctx, int type, s64 size)
{
    u64 id = bpf_get_current_pid_tgid();
    struct val_t *v = entryinfo.lookup(&id);
    if (!v)
        return 0;
    u64 now = bpf_ktime_get_ns();
    u64 delta = now - v->ts;
#if DIST
    struct dist_key_t key = {.slot = bpf_log2l(delta / FACTOR)};
    if (type == TRACE_READ)
        __builtin_memcpy(key.op, "read", 5);
    else if (type == TRACE_WRITE)
        __builtin_memcpy(key.op, "write", 6);
    else if (type == TRACE_OPEN)
        __builtin_memcpy(key.op, "open", 5);
    else
        __builtin_memcpy(key.op, "fsync", 6);
    dist.atomic_increment(key);
#else
    if (delta / 1000 < MIN_US) {
        entryinfo.delete(&id);
        return 0;
    }
    struct data_t data = {.ts_us = now / 1000, .type = type, .size = size, .offset = v->offset,
                          .delta_us = delta / 1000, .pid = id >> 32};
    bpf_get_current_comm(&data.task, sizeof(data.task));
    struct dentry *de = v->fp->f_path.dentry;
    bpf_probe_read_kernel_str(&data.file, sizeof(data.file), de->d_name.name);
    events.perf_submit(ctx, &data, sizeof(data));
#endif
    entryinfo.delete(&id);
    return 0;
}

// A probe's name from the function it is on (an extra level so that the function's define expands).
#define FS_PASTE(prefix, fn) prefix##fn
#define FS_NAME(prefix, fn) FS_PASTE(prefix, fn)

#if defined(HOOK_KPROBE)
int FS_NAME(kprobe__, READ_FN)(struct pt_regs *ctx, struct kiocb *iocb)
{
    return entry(iocb->ki_filp, iocb->ki_pos);
}

int FS_NAME(kretprobe__, READ_FN)(struct pt_regs *ctx)
{
    return done(ctx, TRACE_READ, PT_REGS_RC(ctx));
}

int FS_NAME(kprobe__, WRITE_FN)(struct pt_regs *ctx, struct kiocb *iocb)
{
    return entry(iocb->ki_filp, iocb->ki_pos);
}

int FS_NAME(kretprobe__, WRITE_FN)(struct pt_regs *ctx)
{
    return done(ctx, TRACE_WRITE, PT_REGS_RC(ctx));
}

int FS_NAME(kprobe__, OPEN_FN)(struct pt_regs *ctx, struct inode *inode, struct file *file)
{
    return entry(file, 0);
}

int FS_NAME(kretprobe__, OPEN_FN)(struct pt_regs *ctx)
{
    return done(ctx, TRACE_OPEN, PT_REGS_RC(ctx));
}

int FS_NAME(kprobe__, FSYNC_FN)(struct pt_regs *ctx, struct file *file)
{
    return entry(file, 0);
}

int FS_NAME(kretprobe__, FSYNC_FN)(struct pt_regs *ctx)
{
    return done(ctx, TRACE_FSYNC, PT_REGS_RC(ctx));
}
#else
// KFUNC_PROBE stringifies and pastes its first argument: these expand the define first.
#define FS_FENTRY(fn, args...) KFUNC_PROBE(fn, ##args)
#define FS_FEXIT(fn, args...) KRETFUNC_PROBE(fn, ##args)

FS_FENTRY(READ_FN, struct kiocb *iocb)
{
    return entry(iocb->ki_filp, iocb->ki_pos);
}

FS_FEXIT(READ_FN, struct kiocb *iocb, struct iov_iter *to, ssize_t ret)
{
    return done(ctx, TRACE_READ, ret);
}

FS_FENTRY(WRITE_FN, struct kiocb *iocb)
{
    return entry(iocb->ki_filp, iocb->ki_pos);
}

FS_FEXIT(WRITE_FN, struct kiocb *iocb, struct iov_iter *from, ssize_t ret)
{
    return done(ctx, TRACE_WRITE, ret);
}

FS_FENTRY(OPEN_FN, struct inode *inode, struct file *file)
{
    return entry(file, 0);
}

FS_FEXIT(OPEN_FN, struct inode *inode, struct file *file, int ret)
{
    return done(ctx, TRACE_OPEN, ret);
}

FS_FENTRY(FSYNC_FN, struct file *file)
{
    return entry(file, 0);
}

FS_FEXIT(FSYNC_FN, struct file *file, loff_t start, loff_t end, int datasync, int ret)
{
    return done(ctx, TRACE_FSYNC, ret);
}
#endif
