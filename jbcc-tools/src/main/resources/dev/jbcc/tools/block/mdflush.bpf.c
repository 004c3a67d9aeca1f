// jbcc mdflush: each flush request an md (software RAID) device receives, with the task that
// caused it and the md device's name: md_flush_request(mddev, bio), by kprobe or fentry.

struct mddev; // md_mod's, not in vmlinux's BTF: only its pointer is passed

struct flush_t {
    u32 pid;
    char comm[TASK_COMM_LEN];
    char disk[32];
};

BPF_PERF_OUTPUT(events);

static __always_inline int flushed(void *ctx, struct bio *bio)
{
    struct flush_t f = {};
    f.pid = bpf_get_current_pid_tgid() >> 32;
    bpf_get_current_comm(&f.comm, sizeof(f.comm));
    struct gendisk *disk = bio->bi_bdev->bd_disk;
    bpf_probe_read_kernel_str(&f.disk, sizeof(f.disk), disk->disk_name);
    events.perf_submit(ctx, &f, sizeof(f));
    return 0;
}

#if defined(HOOK_KPROBE)
int kprobe__md_flush_request(struct pt_regs *ctx, struct mddev *mddev, struct bio *bio)
{
    return flushed(ctx, bio);
}
#elif defined(HOOK_FENTRY)
KFUNC_PROBE(md_flush_request, struct mddev *mddev, struct bio *bio)
{
    return flushed(ctx, bio);
}
#endif
