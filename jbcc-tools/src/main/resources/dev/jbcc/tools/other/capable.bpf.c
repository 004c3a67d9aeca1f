// jbcc capable: each security capability check (cap_capable) with the process, the capability and
// whether it is audited. kprobe and fentry see the check's options (audit, insetid); the
// capability:cap_capable tracepoint (6.14+) does not, and reports them as unknown (-1).
// Defines: FILTER_PID (-1: any), SELF (this JVM's PID: its own checks are left out), VERBOSE
// (1: include non-audit checks), KERNEL_STACKS, USER_STACKS, UNIQUE.
#define CAP_OPT_NOAUDIT 0b10
#define CAP_OPT_INSETID 0b100

struct data_t {
    u32 tgid;
    u32 tid;
    u32 uid;
    int cap;
    int audit;
    int insetid;
    int kernel_stack_id;
    int user_stack_id;
    char comm[TASK_COMM_LEN];
};

// what --unique does not repeat: all 64-bit, no padding to hash
struct repeat_t {
    u64 cap;
    u64 tgid;
    s64 kernel_stack_id;
    s64 user_stack_id;
};

BPF_PERF_OUTPUT(events);
BPF_HASH(seen, struct repeat_t, u64, 10240);
BPF_STACK_TRACE(stacks, 2048);

static __always_inline int check(void *ctx, int cap, int audit, int insetid)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tgid = id >> 32;
    if (FILTER_PID >= 0 && tgid != FILTER_PID)
        return 0;
    if (tgid == SELF)
        return 0;
    if (!VERBOSE && audit == 0)
        return 0;
    struct data_t data = {.tgid = tgid, .tid = (u32)id, .uid = (u32)bpf_get_current_uid_gid(),
                          .cap = cap, .audit = audit, .insetid = insetid,
                          .kernel_stack_id = -1, .user_stack_id = -1};
    if (KERNEL_STACKS)
        data.kernel_stack_id = stacks.get_stackid(ctx, 0);
    if (USER_STACKS)
        data.user_stack_id = stacks.get_stackid(ctx, BPF_F_USER_STACK);
    if (UNIQUE) {
        struct repeat_t r = {.cap = cap, .tgid = tgid, .kernel_stack_id = data.kernel_stack_id,
                             .user_stack_id = data.user_stack_id};
        if (seen.lookup(&r))
            return 0;
        u64 zero = 0;
        seen.update(&r, &zero);
    }
    bpf_get_current_comm(&data.comm, sizeof(data.comm));
    events.perf_submit(ctx, &data, sizeof(data));
    return 0;
}

#if defined(HOOK_KPROBE)
int kprobe__cap_capable(struct pt_regs *ctx, const struct cred *cred, struct user_namespace *targ_ns, int cap,
                        unsigned int opts)
{
    return check(ctx, cap, (opts & CAP_OPT_NOAUDIT) == 0, (opts & CAP_OPT_INSETID) != 0);
}
#elif defined(HOOK_FENTRY)
KFUNC_PROBE(cap_capable, const struct cred *cred, struct user_namespace *targ_ns, int cap, unsigned int opts)
{
    return check(ctx, cap, (opts & CAP_OPT_NOAUDIT) == 0, (opts & CAP_OPT_INSETID) != 0);
}
#else
TRACEPOINT_PROBE(capability, cap_capable)
{
    return check(args, args->cap, -1, -1);
}
#endif
