// jbcc dcsnoop: directory entry cache lookups. d_lookup() that finds nothing is a miss (M); with
// -a, each path component lookup_fast() resolves is a reference (R). Only kprobes see these.
#define FILE_NAME_LEN 64

enum kind { KIND_MISS, KIND_REFERENCE };

struct lookup_t {
    u32 pid;
    u32 kind;
    char comm[TASK_COMM_LEN];
    char name[FILE_NAME_LEN];
};

BPF_HASH(asked, u32, struct lookup_t, 10240);   // per thread: the name d_lookup() looks for
BPF_PERF_OUTPUT(events);

// lookup_fast(struct nameidata *nd): the component is nd->last
int reference(struct pt_regs *ctx)
{
    struct lookup_t l = {.pid = bpf_get_current_pid_tgid() >> 32, .kind = KIND_REFERENCE};
    struct qstr last = {};
    bpf_probe_read_kernel(&last, sizeof(last), (void *)(PT_REGS_PARM1(ctx) + offsetof(struct nameidata, last)));
    bpf_probe_read_kernel_str(&l.name, sizeof(l.name), last.name);
    bpf_get_current_comm(&l.comm, sizeof(l.comm));
    events.perf_submit(ctx, &l, sizeof(l));
    return 0;
}

// d_lookup(const struct dentry *parent, const struct qstr *name)
int kprobe__d_lookup(struct pt_regs *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    struct lookup_t l = {.pid = id >> 32, .kind = KIND_MISS};
    struct qstr name = {};
    bpf_probe_read_kernel(&name, sizeof(name), (void *)PT_REGS_PARM2(ctx));
    bpf_probe_read_kernel_str(&l.name, sizeof(l.name), name.name);
    asked.update(&tid, &l);
    return 0;
}

int kretprobe__d_lookup(struct pt_regs *ctx)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct lookup_t *l = asked.lookup(&tid);
    if (!l)
        return 0;
    if (PT_REGS_RC(ctx) == 0) {
        bpf_get_current_comm(&l->comm, sizeof(l->comm));
        events.perf_submit(ctx, l, sizeof(*l));
    }
    asked.delete(&tid);
    return 0;
}
