// jbcc filelife: files that are created and deleted again, with how long they lived. A file's
// dentry is remembered when it is created (security_inode_create: every create, open(O_CREAT)
// included; vfs_create: mknod) and looked up when vfs_unlink deletes it. Only kprobes see these:
// no tracepoint carries the dentry.
// Defines: FILTER_PID (-1: any), CREATE_DENTRY, UNLINK_DENTRY (the dentry's parameter position in
// vfs_create and vfs_unlink, which changed between kernels).
#define FILE_NAME_LEN 32

struct death_t {
    u64 age_ns;
    u32 pid;
    char comm[TASK_COMM_LEN];
    char name[FILE_NAME_LEN];
};

BPF_HASH(birth, u64, u64, 10240);   // dentry address → when it was created
BPF_PERF_OUTPUT(events);

static __always_inline u64 param(struct pt_regs *ctx, int n)
{
    switch (n) {
    case 1: return PT_REGS_PARM1(ctx);
    case 2: return PT_REGS_PARM2(ctx);
    case 3: return PT_REGS_PARM3(ctx);
    default: return PT_REGS_PARM4(ctx);
    }
}

static __always_inline bool wanted(void)
{
    return FILTER_PID < 0 || (bpf_get_current_pid_tgid() >> 32) == FILTER_PID;
}

static __always_inline int born(u64 dentry)
{
    if (!wanted())
        return 0;
    u64 ts = bpf_ktime_get_ns();
    birth.update(&dentry, &ts);
    return 0;
}

int kprobe__security_inode_create(struct pt_regs *ctx) { return born(PT_REGS_PARM2(ctx)); }
int kprobe__vfs_create(struct pt_regs *ctx) { return born(param(ctx, CREATE_DENTRY)); }

int kprobe__vfs_unlink(struct pt_regs *ctx)
{
    if (!wanted())
        return 0;
    u64 dentry = param(ctx, UNLINK_DENTRY);
    u64 *ts = birth.lookup(&dentry);
    if (!ts)
        return 0;
    struct death_t d = {.age_ns = bpf_ktime_get_ns() - *ts, .pid = bpf_get_current_pid_tgid() >> 32};
    birth.delete(&dentry);
    struct qstr name = {};
    bpf_probe_read_kernel(&name, sizeof(name), (void *)(dentry + offsetof(struct dentry, d_name)));
    if (name.len == 0)
        return 0;
    bpf_probe_read_kernel_str(&d.name, sizeof(d.name), name.name);
    bpf_get_current_comm(&d.comm, sizeof(d.comm));
    events.perf_submit(ctx, &d, sizeof(d));
    return 0;
}
