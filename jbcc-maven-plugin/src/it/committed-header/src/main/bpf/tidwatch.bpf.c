// SPDX-License-Identifier: GPL-2.0
// openat(2) calls of one thread, sent through a ring buffer whose event struct the pom names
// (<eventTypes>), compiled against the vmlinux.h committed next to this file.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef JBCC_IT_COMMITTED_VMLINUX
#error "this project must compile against its committed vmlinux.h"
#endif

struct opened {
    __u32 pid;
    __u32 tid;
    char comm[16];
    char filename[64];
};

const volatile __u32 target_tid = 0;   // .rodata: set before load

struct opened last = {};   // .bss: the last event; also what puts struct opened in the BTF

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} opens SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int handle_openat(struct trace_event_raw_sys_enter *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    if ((__u32)id != target_tid)
        return 0;
    struct opened *e = bpf_ringbuf_reserve(&opens, sizeof(*e), 0);
    if (!e)
        return 0;
    e->pid = id >> 32;
    e->tid = (__u32)id;
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const char *)ctx->args[1]);
    __builtin_memcpy(&last, e, sizeof(last));
    bpf_ringbuf_submit(e, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
