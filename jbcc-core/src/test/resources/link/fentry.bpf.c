// Programs for the fentry/fexit/LSM tests (run in the VM: the host refuses trampolines).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_pid = 0;
const volatile __u32 target_tid = 0;

__u64 fentry_calls = 0;
__u64 fexit_calls = 0;
__u64 fexit_nonnegative = 0;
__u64 lsm_file_opens = 0;

static __always_inline int is_target(void)
{
    __u64 id = bpf_get_current_pid_tgid();
    return (id >> 32) == target_pid && (__u32)id == target_tid;
}

SEC("fentry/do_sys_openat2")
int BPF_PROG(on_openat2_fentry, int dfd, const char *filename, struct open_how *how)
{
    if (is_target())
        __sync_fetch_and_add(&fentry_calls, 1);
    return 0;
}

SEC("fexit/do_sys_openat2")
int BPF_PROG(on_openat2_fexit, int dfd, const char *filename, struct open_how *how, long ret)
{
    if (is_target()) {
        __sync_fetch_and_add(&fexit_calls, 1);
        if (ret >= 0)
            __sync_fetch_and_add(&fexit_nonnegative, 1);
    }
    return 0;
}

SEC("lsm/file_open")
int BPF_PROG(on_file_open, struct file *file)
{
    if (is_target())
        __sync_fetch_and_add(&lsm_file_opens, 1);
    return 0; /* allow */
}
