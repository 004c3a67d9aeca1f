// jbcc execsnoop: each execve(2) with its arguments and result. The enter tracepoint copies the
// arguments into a per-thread record (built in a per-CPU scratch slot, too big for the stack); the
// exit tracepoint, which knows the result and the new command name, sends the record.
// Defines: MAXARG (arguments kept), FILTER_UID, FILTER_PPID (-1: any), FAILS_ONLY... set by the tool.
#define ARGSIZE 128

struct exec_t {
    u32 pid;
    u32 ppid;
    u32 uid;
    int ret;
    u32 argc;           // arguments read; MAXARG + 1 when there were more
    char comm[TASK_COMM_LEN];
    char args[MAXARG][ARGSIZE];
};

BPF_PERCPU_ARRAY(scratch, struct exec_t, 1);
BPF_HASH(pending, u32, struct exec_t, 1024);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(syscalls, sys_enter_execve)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    u32 uid = (u32)bpf_get_current_uid_gid();
    if (FILTER_UID >= 0 && uid != FILTER_UID)
        return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    u32 ppid = task->real_parent->tgid;
    if (FILTER_PPID >= 0 && ppid != FILTER_PPID)
        return 0;
    int zero = 0;
    struct exec_t *e = scratch.lookup(&zero);
    if (!e)
        return 0;
    e->pid = id >> 32;
    e->ppid = ppid;
    e->uid = uid;
    e->ret = 0;
    e->argc = 0;
    const char *const *argv = (const char *const *)args->argv;
#pragma unroll
    for (int i = 0; i < MAXARG; i++) {
        const char *arg = NULL;
        bpf_probe_read_user(&arg, sizeof(arg), &argv[i]);
        if (!arg)
            goto done;
        bpf_probe_read_user_str(e->args[i], ARGSIZE, arg);
        e->argc = i + 1;
    }
    // more than MAXARG arguments: say so with one more
    const char *more = NULL;
    bpf_probe_read_user(&more, sizeof(more), &argv[MAXARG]);
    if (more)
        e->argc = MAXARG + 1;
done:
    pending.update(&tid, e);
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_execve)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct exec_t *e = pending.lookup(&tid);
    if (!e)
        return 0;
    e->ret = args->ret;
    if (INCLUDE_FAILED || e->ret == 0) {
        bpf_get_current_comm(&e->comm, sizeof(e->comm));
        events.perf_submit(args, e, sizeof(*e));
    }
    pending.delete(&tid);
    return 0;
}
