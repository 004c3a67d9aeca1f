// Programs for TracingLinksTest: each counts events of one thread of the test JVM.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Set by the test with CollectionSpec.withVariable before loading. */
const volatile __u32 target_pid = 0;
const volatile __u32 target_tid = 0;

__u64 openat_calls = 0;
__u64 raw_openat_calls = 0;
__u64 forks = 0;
__u64 last_child = 0;

#define NR_OPENAT 257 /* x86-64 */

static __always_inline int is_target(void)
{
    __u64 id = bpf_get_current_pid_tgid();
    return (id >> 32) == target_pid && (__u32)id == target_tid;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int count_openat(struct trace_event_raw_sys_enter *ctx)
{
    if (is_target())
        __sync_fetch_and_add(&openat_calls, 1);
    return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(count_raw_openat, struct pt_regs *regs, long id)
{
    if (id == NR_OPENAT && is_target())
        __sync_fetch_and_add(&raw_openat_calls, 1);
    return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(count_fork, struct task_struct *parent, struct task_struct *child)
{
    if (parent->tgid != target_pid)
        return 0;
    __sync_fetch_and_add(&forks, 1);
    last_child = child->tgid;
    return 0;
}

SEC("iter/task")
int list_tasks(struct bpf_iter__task *ctx)
{
    struct task_struct *task = ctx->task;
    if (!task)
        return 0;
    BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d %s\n", task->tgid, task->pid, task->comm);
    return 0;
}
