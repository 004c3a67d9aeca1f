// Tables of every kind, fed from Java through BPF_PROG_TEST_RUN: each XDP run reads a
// little-endian u64 "value", a u8 "op" and a u8 "section" from the start of the packet.
#include <uapi/linux/bpf.h>

struct event_t {
    u64 value;
    u32 op;
    char tag[8];
};

struct hkey_t {
    u32 section;
    u32 slot;
};

struct lpm_key_t {
    u32 prefixlen;
    u32 addr;
};

struct ckey_t {
    char name[8];
    u64 slot;
};

// Packed, so "wide" spans bits 3..64: nine bytes.
struct __attribute__((packed)) wide_t {
    u8 low:3;
    u64 wide:62;
    s8 high:3;
};

BPF_HASH(counts, u32, u64);
BPF_ARRAY(arr, u64, 4);
BPF_HISTOGRAM(hist);
BPF_HISTOGRAM(lin, int, 64);
BPF_HISTOGRAM(shist, struct hkey_t);
BPF_HISTOGRAM(chist, struct ckey_t);
BPF_QUEUE(fifo, u64, 8);
BPF_STACK(lifo, u64, 8);
BPF_LPM_TRIE(routes, struct lpm_key_t, u32, 16);
BPF_PERF_OUTPUT(events);
BPF_RINGBUF_OUTPUT(ring, 8);
BPF_PERCPU_ARRAY(pcpu, u64, 2);
BPF_PERCPU_HASH(pcpuh, u32, u64);
BPF_HASH(bits, u32, struct wide_t, 4);

static inline u32 log2l(u64 v) {
    u32 r = 0;
    #pragma unroll
    for (int i = 0; i < 64; i++) {
        if (v == 0) break;
        v >>= 1;
        r++;
    }
    return r;
}

int xdp_feed(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    if (data + 10 > data_end)
        return XDP_ABORTED;
    u64 value = *(u64 *)data;
    u8 op = *(u8 *)(data + 8);
    u8 section = *(u8 *)(data + 9);

    if (op == 0) {
        hist.increment(log2l(value));
        if (value < 64)
            lin.increment((int)value);
        u32 key = value & 0xff;
        counts.increment(key);
        int idx = value & 3;
        u64 *slot = arr.lookup(&idx);
        if (slot)
            __sync_fetch_and_add(slot, 1);
    } else if (op == 1) {
        fifo.push(&value, 0);
        lifo.push(&value, 0);
    } else if (op == 2) {
        struct event_t e = {};
        e.value = value;
        e.op = op;
        __builtin_memcpy(e.tag, "perf", 5);
        events.perf_submit(ctx, &e, sizeof(e));
        struct event_t r = {};
        r.value = value * 2;
        r.op = op;
        __builtin_memcpy(r.tag, "ring", 5);
        ring.ringbuf_output(&r, sizeof(r), 0);
    } else if (op == 3) {
        struct hkey_t k = {};
        k.section = section;
        k.slot = log2l(value);
        shist.increment(k);
        struct ckey_t c = {};
        if (section & 1)
            __builtin_memcpy(c.name, "odd", 4);
        else
            __builtin_memcpy(c.name, "even", 5);
        c.slot = log2l(value);
        chist.increment(c);
    } else if (op == 4) {
        // bits[1] = bits[0] with low + 1, wide + value, high - 1.
        u32 in = 0, out = 1;
        struct wide_t *w = bits.lookup(&in);
        if (w) {
            struct wide_t r = {};
            r.low = w->low + 1;
            r.wide = w->wide + value;
            r.high = w->high - 1;
            bits.update(&out, &r);
        }
    }
    return XDP_PASS;
}

// Per-CPU tables, run with BPF_F_TEST_RUN_ON_CPU so the test picks the CPU.
int pcpu_bump(struct bpf_raw_tracepoint_args *ctx) {
    int zero = 0;
    u64 *v = pcpu.lookup(&zero);
    if (v)
        *v += ctx->args[0];
    u32 key = 7;
    u64 init = 0;
    u64 *h = pcpuh.lookup_or_try_init(&key, &init);
    if (h)
        *h += ctx->args[0];
    return 0;
}
