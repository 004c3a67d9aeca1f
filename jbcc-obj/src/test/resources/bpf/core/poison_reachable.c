// A CO-RE read of a field the kernel lacks, with no guard: the poisoned instruction is reachable,
// so the verifier must reject the program, and jbcc must say which field it was.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___local {
    int jbcc_no_such_field;
    int pid;
} __attribute__((preserve_access_index));

int value = -1;

SEC("raw_tp/sys_enter")
int read_missing(void *ctx)
{
    struct task_struct___local *task = (void *)bpf_get_current_task();
    value = BPF_CORE_READ(task, jbcc_no_such_field);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
