// CO-RE against the kernel's task_struct from a local definition that differs from it: other
// field order, a field the kernel does not have (checked with bpf_core_field_exists).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___local {
    int jbcc_no_such_field;
    int tgid;
    int pid;
} __attribute__((preserve_access_index));

int pid = -1;
int tgid = -1;
int missing_exists = -1;
int pid_exists = -1;

SEC("raw_tp/sys_enter")
int read_task(void *ctx)
{
    struct task_struct___local *task = (void *)bpf_get_current_task();
    pid = BPF_CORE_READ(task, pid);
    tgid = BPF_CORE_READ(task, tgid);
    pid_exists = bpf_core_field_exists(task->pid);
    missing_exists = bpf_core_field_exists(task->jbcc_no_such_field);
    if (missing_exists)
        return BPF_CORE_READ(task, jbcc_no_such_field); /* poisoned, unreachable */
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
