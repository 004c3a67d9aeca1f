// Programs for KprobeLinkTest: kprobes on the openat path, counting one thread of the test JVM.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_pid = 0;
const volatile __u32 target_tid = 0;

__u64 entry_calls = 0;
__u64 return_calls = 0;
__u64 nonnegative_returns = 0;
__u64 syscall_calls = 0;
__u64 multi_calls = 0;
__u64 cookie_seen = 0;

static __always_inline int is_target(void)
{
    __u64 id = bpf_get_current_pid_tgid();
    return (id >> 32) == target_pid && (__u32)id == target_tid;
}

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(on_openat2_entry, int dfd, const char *filename)
{
    if (is_target()) {
        __sync_fetch_and_add(&entry_calls, 1);
        cookie_seen = bpf_get_attach_cookie(ctx);
    }
    return 0;
}

SEC("kretprobe/do_sys_openat2")
int BPF_KRETPROBE(on_openat2_return, long ret)
{
    if (is_target()) {
        __sync_fetch_and_add(&return_calls, 1);
        if (ret >= 0)
            __sync_fetch_and_add(&nonnegative_returns, 1);
    }
    return 0;
}

SEC("ksyscall/openat")
int on_openat_syscall(struct pt_regs *ctx)
{
    if (is_target())
        __sync_fetch_and_add(&syscall_calls, 1);
    return 0;
}

SEC("kprobe.multi/do_sys_openat*")
int on_openat_multi(struct pt_regs *ctx)
{
    if (is_target())
        __sync_fetch_and_add(&multi_calls, 1);
    return 0;
}
