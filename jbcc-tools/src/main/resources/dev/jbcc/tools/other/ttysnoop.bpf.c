// jbcc ttysnoop: what is written to one tty (known by its inode), from tty_write. There is no
// tracepoint there: kprobe or fentry. Since 5.11 tty_write takes the kiocb and the iov_iter
// of the data; a write(2) is one user buffer (ITER_UBUF since 6.0, or an ITER_IOVEC of one
// segment before), writev(2) several segments, of which the first is shown.
// Defines: PTS (the tty's inode number), BUFSIZE (bytes per event), DATACOUNT (events per write).
struct data_t {
    u32 count;
    char buf[BUFSIZE];
};

BPF_PERCPU_ARRAY(scratch, struct data_t, 1);
BPF_PERF_OUTPUT(events);

static __always_inline int send(void *ctx, const char *buf, u64 count)
{
    int zero = 0;
    struct data_t *data = scratch.lookup(&zero);
    if (!data)
        return 0;
#pragma unroll
    for (int i = 0; i < DATACOUNT; i++) {
        if (bpf_probe_read_user(&data->buf, BUFSIZE, buf))
            return 0;
        data->count = count > BUFSIZE ? BUFSIZE : count;
        events.perf_submit(ctx, data, sizeof(*data));
        if (count <= BUFSIZE)
            return 0;
        count -= BUFSIZE;
        buf += BUFSIZE;
    }
    return 0;
}

static __always_inline int written(void *ctx, struct kiocb *iocb, struct iov_iter *from)
{
    struct file *f = iocb->ki_filp;
    if (f->f_inode->i_ino != PTS)
        return 0;
    u8 type = from->iter_type;
    // ubuf shares its union with the iovec pointer on every kernel that has it
    void *p = from->ubuf;
    if (type == ITER_UBUF)
        return send(ctx, (const char *)p, from->count);
    if (type == ITER_IOVEC) {
        struct iovec first = {};
        bpf_probe_read_kernel(&first, sizeof(first), p);
        return send(ctx, (const char *)first.iov_base, first.iov_len);
    }
    return 0;
}

#if defined(HOOK_KPROBE)
int kprobe__tty_write(struct pt_regs *ctx, struct kiocb *iocb, struct iov_iter *from)
{
    return written(ctx, iocb, from);
}
#else
KFUNC_PROBE(tty_write, struct kiocb *iocb, struct iov_iter *from)
{
    return written(ctx, iocb, from);
}
#endif
