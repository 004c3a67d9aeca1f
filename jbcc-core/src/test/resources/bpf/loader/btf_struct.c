// A map whose value is a struct that Java decodes by the object's BTF, not by a hand layout.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event {
    __u8 kind;               /* 7 bytes of padding follow */
    __u64 timestamp;
    char comm[16];
    union {
        __u32 pid;
        __u32 tgid_alias;
    };
    struct {
        __u16 sport;
        __u16 dport;
    } ports;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, struct event);
} events SEC(".maps");

SEC("xdp")
int record_event(struct xdp_md *ctx)
{
    __u32 key = 1;
    struct event e = {};
    e.kind = 3;
    e.timestamp = 0x1122334455667788ULL;
    __builtin_memcpy(e.comm, "jbcc-test", 10);
    e.pid = 4242;
    e.ports.sport = 80;
    e.ports.dport = 8080;
    bpf_map_update_elem(&events, &key, &e, BPF_ANY);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
