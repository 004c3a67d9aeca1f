// SPDX-License-Identifier: GPL-2.0
// openat(2) calls whose path starts with a prefix set from Java before load, sent to Java as
// typed records. jbcc-maven-plugin compiles this file and generates the class Opensnoop from it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define PREFIX_MAX 32
#define O_CREAT  00000100
#define O_EXCL   00000200
#define O_TRUNC  00001000
#define O_APPEND 00002000

enum access_mode { MODE_READ = 0, MODE_WRITE = 1, MODE_RDWR = 2 };

struct task_ids {
    __u32 pid;
    __u32 tid;
    __u32 uid;
    __u32 gid;
};

struct event {
    struct task_ids task;       // a nested struct
    char comm[16];              // char arrays become Java strings
    char filename[64];
    __s64 args[3];              // dfd, flags and mode as openat(2) got them
    enum access_mode mode;      // an enum
    __u32 creat : 1, excl : 1, trunc : 1, append : 1, spare : 28; // bitfields
    __u64 seq;
};

struct count_key {
    __u32 pid;
    char comm[16];
};

const volatile char prefix[PREFIX_MAX] = {};  // .rodata: set before load
const volatile __u32 prefix_len = 0;

__u64 matched = 0;      // .bss: read from Java over mmap
__u64 seq_base = 1;     // .data: events number themselves from here

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");
// Tells the skeleton generator that ring buffer `events` carries struct event (and puts the
// struct in the object's BTF: clang leaves out types that only local variables use).
struct event *jbcc_record_events __attribute__((unused, btf_decl_tag("jbcc.record:events")));

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, struct count_key);
    __type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int handle_openat(struct trace_event_raw_sys_enter *ctx)
{
    const char *path = (const char *)ctx->args[1];
    char head[PREFIX_MAX];
    if (bpf_probe_read_user_str(head, sizeof(head), path) < 0)
        return 0;
    for (int i = 0; i < PREFIX_MAX && i < prefix_len; i++)
        if (head[i] != prefix[i])
            return 0;

    struct count_key key;
    __builtin_memset(&key, 0, sizeof(key));
    __u64 id = bpf_get_current_pid_tgid();
    key.pid = id >> 32;
    bpf_get_current_comm(key.comm, sizeof(key.comm));
    __u64 one = 1, *count = bpf_map_lookup_elem(&counts, &key);
    if (count)
        __sync_fetch_and_add(count, 1);
    else
        bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);

    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 0;
    __u64 ugid = bpf_get_current_uid_gid();
    long flags = ctx->args[2];
    e->task.pid = id >> 32;
    e->task.tid = (__u32)id;
    e->task.uid = (__u32)ugid;
    e->task.gid = ugid >> 32;
    __builtin_memcpy(e->comm, key.comm, sizeof(e->comm));
    bpf_probe_read_user_str(e->filename, sizeof(e->filename), path);
    e->args[0] = (int)ctx->args[0];
    e->args[1] = flags;
    e->args[2] = ctx->args[3];
    e->mode = flags & 3;
    e->creat = !!(flags & O_CREAT);
    e->excl = !!(flags & O_EXCL);
    e->trunc = !!(flags & O_TRUNC);
    e->append = !!(flags & O_APPEND);
    e->spare = 0;
    e->seq = seq_base + __sync_fetch_and_add(&matched, 1);
    bpf_ringbuf_submit(e, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
