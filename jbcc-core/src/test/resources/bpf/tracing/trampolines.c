// fentry, fexit and BPF LSM programs for TracingProgramTest. Each acts only on the test's own
// thread (target_tid, set before load), so other activity on the machine does not disturb counts.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EACCES 13

const volatile __u32 target_tid = 0;

__u64 unlink_entries = 0;
__u64 unlink_exits = 0;
int last_unlink_ret = 1;

__u64 file_opens = 0;
__u64 file_open_refusals = 0;
__u32 refuse_tid = 0;   // file_open refuses this thread's opens with EACCES while set

static __always_inline int is_target(void)
{
	return (__u32)bpf_get_current_pid_tgid() == target_tid;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_entry, int dfd, struct filename *name)
{
	if (is_target())
		__sync_fetch_and_add(&unlink_entries, 1);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(unlink_exit, int dfd, struct filename *name, int ret)
{
	if (is_target()) {
		__sync_fetch_and_add(&unlink_exits, 1);
		last_unlink_ret = ret;
	}
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(check_file_open, struct file *file, int ret)
{
	if (!is_target())
		return ret;
	__sync_fetch_and_add(&file_opens, 1);
	if (refuse_tid == target_tid) {
		__sync_fetch_and_add(&file_open_refusals, 1);
		return -EACCES;
	}
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
