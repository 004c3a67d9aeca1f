// jbcc filegone: files that go away, deleted (unlink, rmdir) or renamed over (rename), with the
// name they had (and for a rename the new one). Two variants, the hook chosen:
// - HOOK_KPROBE: vfs_unlink, vfs_rmdir and vfs_rename, whose dentries name the files (the last
//   component, as the kernel keeps it), as bcc does.
// - HOOK_TRACEPOINT: the unlink/rmdir/rename system calls: the paths are remembered at entry and
//   sent when the call returns 0, as the caller wrote them (user space shows their last component).
// Defines: FILTER_PID (-1: any); for kprobes UNLINK_DENTRY, RMDIR_DENTRY (the dentry's position in
// vfs_unlink and vfs_rmdir), RENAME_DATA (1: vfs_rename takes a struct renamedata) or
// RENAME_OLD, RENAME_NEW (the positions of its dentries).
#define NAME_LEN 128
#define ACTION_DELETE 'D'
#define ACTION_RENAME 'R'

struct gone_t {
    u32 pid;
    u32 action;
    char comm[TASK_COMM_LEN];
    char name[NAME_LEN];
    char name2[NAME_LEN];
};

BPF_PERF_OUTPUT(events);
BPF_PERCPU_ARRAY(scratch, struct gone_t, 1);

static __always_inline struct gone_t *start(u32 action)
{
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    if (FILTER_PID >= 0 && pid != FILTER_PID)
        return NULL;
    int zero = 0;
    struct gone_t *g = scratch.lookup(&zero);
    if (!g)
        return NULL;
    g->pid = pid;
    g->action = action;
    g->name[0] = 0;
    g->name2[0] = 0;
    bpf_get_current_comm(&g->comm, sizeof(g->comm));
    return g;
}

#ifdef HOOK_KPROBE
static __always_inline u64 param(struct pt_regs *ctx, int n)
{
    switch (n) {
    case 1: return PT_REGS_PARM1(ctx);
    case 2: return PT_REGS_PARM2(ctx);
    case 3: return PT_REGS_PARM3(ctx);
    case 4: return PT_REGS_PARM4(ctx);
    default: return PT_REGS_PARM5(ctx);
    }
}

// the dentry's name into name; false for an unnamed one
static __always_inline bool dentry_name(struct dentry *dentry, char *name)
{
    struct qstr q = {};
    bpf_probe_read_kernel(&q, sizeof(q), &dentry->d_name);
    if (q.len == 0)
        return false;
    bpf_probe_read_kernel_str(name, NAME_LEN, q.name);
    return true;
}

static __always_inline int deleted(struct pt_regs *ctx, struct dentry *dentry)
{
    struct gone_t *g = start(ACTION_DELETE);
    if (g && dentry_name(dentry, g->name))
        events.perf_submit(ctx, g, sizeof(*g));
    return 0;
}

int kprobe__vfs_unlink(struct pt_regs *ctx) { return deleted(ctx, (struct dentry *)param(ctx, UNLINK_DENTRY)); }
int kprobe__vfs_rmdir(struct pt_regs *ctx) { return deleted(ctx, (struct dentry *)param(ctx, RMDIR_DENTRY)); }

int kprobe__vfs_rename(struct pt_regs *ctx)
{
    struct dentry *from = NULL, *to = NULL;
#if RENAME_DATA
    struct renamedata *rd = (struct renamedata *)PT_REGS_PARM1(ctx);
    bpf_probe_read_kernel(&from, sizeof(from), &rd->old_dentry);
    bpf_probe_read_kernel(&to, sizeof(to), &rd->new_dentry);
#else
    from = (struct dentry *)param(ctx, RENAME_OLD);
    to = (struct dentry *)param(ctx, RENAME_NEW);
#endif
    struct gone_t *g = start(ACTION_RENAME);
    if (g && dentry_name(from, g->name) && dentry_name(to, g->name2))
        events.perf_submit(ctx, g, sizeof(*g));
    return 0;
}
#else
struct call_t {
    u32 action;
    const char *name;
    const char *name2;
};

BPF_HASH(calls, u32, struct call_t, 4096);   // thread → the call it is in

static __always_inline int entered(u32 action, const char *name, const char *name2)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    u32 tid = (u32)id;
    struct call_t c = {.action = action, .name = name, .name2 = name2};
    calls.update(&tid, &c);
    return 0;
}

static __always_inline int returned(void *ctx, long ret)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct call_t *c = calls.lookup(&tid);
    if (!c)
        return 0;
    struct call_t call = *c;
    calls.delete(&tid);
    if (ret != 0)
        return 0;
    struct gone_t *g = start(call.action);
    if (!g)
        return 0;
    bpf_probe_read_user_str(g->name, NAME_LEN, call.name);
    if (call.name2)
        bpf_probe_read_user_str(g->name2, NAME_LEN, call.name2);
    events.perf_submit(ctx, g, sizeof(*g));
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_enter_unlink) { return entered(ACTION_DELETE, args->pathname, NULL); }
TRACEPOINT_PROBE(syscalls, sys_enter_unlinkat) { return entered(ACTION_DELETE, args->pathname, NULL); }
TRACEPOINT_PROBE(syscalls, sys_enter_rmdir) { return entered(ACTION_DELETE, args->pathname, NULL); }
TRACEPOINT_PROBE(syscalls, sys_enter_rename) { return entered(ACTION_RENAME, args->oldname, args->newname); }
TRACEPOINT_PROBE(syscalls, sys_enter_renameat) { return entered(ACTION_RENAME, args->oldname, args->newname); }
TRACEPOINT_PROBE(syscalls, sys_enter_renameat2) { return entered(ACTION_RENAME, args->oldname, args->newname); }
TRACEPOINT_PROBE(syscalls, sys_exit_unlink) { return returned(args, args->ret); }
TRACEPOINT_PROBE(syscalls, sys_exit_unlinkat) { return returned(args, args->ret); }
TRACEPOINT_PROBE(syscalls, sys_exit_rmdir) { return returned(args, args->ret); }
TRACEPOINT_PROBE(syscalls, sys_exit_rename) { return returned(args, args->ret); }
TRACEPOINT_PROBE(syscalls, sys_exit_renameat) { return returned(args, args->ret); }
TRACEPOINT_PROBE(syscalls, sys_exit_renameat2) { return returned(args, args->ret); }
#endif
