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

/*
 * fmod_ret on security_file_open(struct file *file), for one file opened by the target thread.
 * A non-zero return skips the function's body and becomes its result, so the open fails with it.
 * (Not bpf_modify_return_test: before 6.2 only error-injectable or security_* functions can be
 * modified, and Debian's 6.1 lacks CONFIG_FUNCTION_ERROR_INJECTION.)
 */
__u64 target_ino = 0;
int override_ret = 0;
__u64 fmod_ret_calls = 0;
__u64 modify_fexit_calls = 0;
__s64 modify_fexit_ret = 0;

static __always_inline int is_target_file(struct file *file)
{
    return is_target() && file->f_inode->i_ino == target_ino;
}

SEC("fmod_ret/security_file_open")
int BPF_PROG(override_file_open, struct file *file, int ret)
{
    if (!is_target_file(file))
        return 0; /* let the function run */
    __sync_fetch_and_add(&fmod_ret_calls, 1);
    return override_ret;
}

SEC("fexit/security_file_open")
int BPF_PROG(after_file_open, struct file *file, int ret)
{
    if (is_target_file(file)) {
        __sync_fetch_and_add(&modify_fexit_calls, 1);
        modify_fexit_ret = ret;
    }
    return 0;
}
