/* Uprobe programs for UprobeLinkTest. UAPI headers, not vmlinux.h: pt_regs accesses stay plain
 * loads (no CO-RE relocations). */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 entry_calls, entry_arg_sum, last_ip, return_calls, return_sum, libc_calls, cookie_sum, multi_calls;
__s64 user_stack_id = -1, kernel_stack_id = -1;
__u32 watched_tgid;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 64);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} stacks SEC(".maps");

SEC("uprobe")
int BPF_KPROBE(on_entry, int x)
{
	__sync_fetch_and_add(&entry_calls, 1);
	__sync_fetch_and_add(&entry_arg_sum, x);
	last_ip = PT_REGS_IP(ctx);
	if (user_stack_id < 0)
		user_stack_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(on_return, int ret)
{
	__sync_fetch_and_add(&return_calls, 1);
	__sync_fetch_and_add(&return_sum, ret);
	return 0;
}

SEC("uprobe")
int count_libc(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&libc_calls, 1);
	return 0;
}

SEC("uprobe")
int with_cookie(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&cookie_sum, bpf_get_attach_cookie(ctx));
	return 0;
}

SEC("uprobe.multi")
int multi(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&multi_calls, 1);
	__sync_fetch_and_add(&cookie_sum, bpf_get_attach_cookie(ctx));
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int kernel_stack(struct bpf_raw_tracepoint_args *ctx)
{
	if (kernel_stack_id < 0 && (bpf_get_current_pid_tgid() >> 32) == watched_tgid)
		kernel_stack_id = bpf_get_stackid(ctx, &stacks, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
