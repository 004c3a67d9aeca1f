/* jbcc:tick and jbcc:guarded read with libbpf's <bpf/usdt.bpf.h> (BPF_USDT, bpf_usdt_arg). */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

struct tick {
	long small, medium, global, constant, cookie, arg_count;
	char name[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, long);
	__type(value, struct tick);
} ticks SEC(".maps");

__u64 guarded_calls, guarded_sum;

SEC("usdt")
int BPF_USDT(on_tick, long i, long small, long medium, long global, long constant, const char *name)
{
	struct tick t = {};

	t.small = small;
	t.medium = medium;
	t.global = global;
	t.constant = constant;
	t.cookie = bpf_usdt_cookie(ctx);
	t.arg_count = bpf_usdt_arg_cnt(ctx);
	bpf_probe_read_user_str(t.name, sizeof(t.name), name);
	bpf_map_update_elem(&ticks, &i, &t, BPF_ANY);
	return 0;
}

SEC("usdt")
int BPF_USDT(on_guarded, int i)
{
	__sync_fetch_and_add(&guarded_calls, 1);
	__sync_fetch_and_add(&guarded_sum, i);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
