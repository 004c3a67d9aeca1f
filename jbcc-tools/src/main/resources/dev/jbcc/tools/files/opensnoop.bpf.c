// SPDX-License-Identifier: GPL-2.0
// `jbcc opensnoop`: every openat(2) with its result. The enter tracepoint remembers the file name
// pointer per thread; the exit tracepoint, which knows the result, emits one ring buffer record.
// CO-RE: the tracepoint context structs come from vmlinux.h with preserve_access_index, so field
// offsets are relocated against the running kernel's BTF at load time.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define TASK_COMM_LEN 16
#define PATH_LEN 256

// Set by the loader before load (.rodata): 0 = every process.
const volatile __u32 target_tgid = 0;
const volatile bool failed_only = false;

struct open_args {
	const char *path;
	int flags;
};

// Must match the Java (dev.jbcc.tools.files.Opensnoop) and C (opensnoop_loader.c) readers: 288 bytes.
struct open_event {
	__u32 pid;
	__u32 uid;
	int ret;
	int flags;
	char comm[TASK_COMM_LEN];
	char path[PATH_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct open_args);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;

	if (target_tgid && target_tgid != (__u32)(id >> 32))
		return 0;
	struct open_args args = {
		.path = (const char *)ctx->args[1],
		.flags = (int)ctx->args[2],
	};
	bpf_map_update_elem(&pending, &tid, &args, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct open_args *args = bpf_map_lookup_elem(&pending, &tid);

	if (!args)
		return 0;
	int ret = (int)ctx->ret;
	if (failed_only && ret >= 0)
		goto done;
	struct open_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		goto done;
	e->pid = id >> 32;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->flags = args->flags;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->path, sizeof(e->path), args->path);
	bpf_ringbuf_submit(e, 0);
done:
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
