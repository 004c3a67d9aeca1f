// BTF-defined maps of every common type, created by the loader from the object and used by a
// program that jbcc runs with BPF_PROG_TEST_RUN.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct lpm_key {
    __u32 prefixlen;
    __u32 addr;
};

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } percpu_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } percpu_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } lru SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } lru_percpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 16); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, struct lpm_key); __type(value, __u32); } lpm SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 8); __type(value, __u32); } queue SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK); __uint(max_entries, 8); __type(value, __u32); } stack SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 128); __uint(key_size, sizeof(__u32)); __uint(value_size, 127 * sizeof(__u64)); } stacks SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096 * 4); } ring SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, sizeof(__u32)); __uint(value_size, sizeof(__u32)); } perf SEC(".maps");

struct inner {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
};
struct inner inner_a SEC(".maps");
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 2);
    __type(key, __u32);
    __array(values, struct inner);
} outer_array SEC(".maps") = { .values = { [0] = &inner_a } };
struct {
    __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
    __uint(max_entries, 2);
    __type(key, __u32);
    __array(values, struct inner);
} outer_hash SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); __uint(pinning, LIBBPF_PIN_BY_NAME); } pinned_counts SEC(".maps");

SEC("xdp")
int touch_maps(struct xdp_md *ctx)
{
    __u32 k = 1, v32 = 7;
    __u64 one = 1, *p;

    p = bpf_map_lookup_elem(&hash, &k);
    if (p) __sync_fetch_and_add(p, 1);
    else bpf_map_update_elem(&hash, &k, &one, BPF_NOEXIST);

    p = bpf_map_lookup_elem(&array, &k);
    if (p) *p += 10;
    p = bpf_map_lookup_elem(&percpu_array, &k);
    if (p) *p += 1;
    bpf_map_update_elem(&percpu_hash, &k, &one, BPF_ANY);
    bpf_map_update_elem(&lru, &k, &one, BPF_ANY);

    struct lpm_key lk = { .prefixlen = 32, .addr = 0x0100000a }; /* 10.0.0.1 */
    __u32 *class = bpf_map_lookup_elem(&lpm, &lk);
    if (class) {
        __u32 c = *class;
        bpf_map_push_elem(&queue, &c, 0);
    }
    bpf_map_push_elem(&stack, &v32, 0);

    __u64 *rec = bpf_ringbuf_reserve(&ring, sizeof(__u64), 0);
    if (rec) {
        *rec = 0xfeedULL;
        bpf_ringbuf_submit(rec, 0);
    }

    void *inner = bpf_map_lookup_elem(&outer_array, &(__u32){0});
    if (inner) {
        p = bpf_map_lookup_elem(inner, &(__u32){0});
        if (p) *p += 100;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
