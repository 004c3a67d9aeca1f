/* HotSpot's USDT probes (libjvm.so, provider hotspot) read with <bpf/usdt.bpf.h>. Strings are
 * a pointer and a length, not NUL-terminated. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#define NAME_LEN 128

struct name { char text[NAME_LEN]; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct name);
	__type(value, __u64);
} threads SEC(".maps"), classes SEC(".maps");

__u64 gc_begins;

static __always_inline void count(void *map, const char *text, long len)
{
	struct name key = {};
	__u64 one = 1, *n;

	if (len < 0)
		return;
	if (len > NAME_LEN - 1)
		len = NAME_LEN - 1;
	bpf_probe_read_user(key.text, len & (NAME_LEN - 1), text);
	n = bpf_map_lookup_elem(map, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(map, &key, &one, BPF_NOEXIST);
}

/* thread__start: 1 name, 2 name length, 3 Java thread id, 4 native id, 5 daemon */
SEC("usdt")
int BPF_USDT(thread_start, const char *name, long len)
{
	count(&threads, name, len);
	return 0;
}

/* class__loaded: 1 class name, 2 name length, 3 class loader, 4 shared */
SEC("usdt")
int BPF_USDT(class_loaded, const char *name, long len)
{
	count(&classes, name, len);
	return 0;
}

SEC("usdt")
int gc_begin(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&gc_begins, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
