// The producers of the ring-buffer and perf-buffer benchmarks (scripts/bench.d/10-ringbuf and
// 20-perfbuf). The Java harness (dev.jbcc.bench.events) and the C reference (events.c) load this
// same object and read the same maps, so both consumers see identical records.
//
//   burst_ring                a syscall program run with BPF_PROG_TEST_RUN: emits args.count
//                             records of args.size bytes (64 or 1024) with bpf_loop
//   burst_perf                tracepoint on sys_enter_getppid: each getppid() of the producer
//                             thread emits config[2] records with bpf_loop (see below why)
//   tp_ring / tp_perf         tracepoint on sys_enter_getpid: one record per getpid() of the
//                             thread whose tid is config[0], of config[1] bytes
//
// A record that finds the ring full is dropped and counted in stats[0]; every record carries its
// sequence number in its first 8 bytes so that consumers touch the data as a real one would.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_RECORD 1024

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 22);           /* both sides set the benchmark's size before loading */
} ring SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} perf SEC(".maps");

/* [0] dropped records, [1] records emitted (committed) */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} stats SEC(".maps");

/* [0] tid of the producer thread, [1] record size of the tracepoint programs, [2] records per getppid() */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 3);
    __type(key, __u32);
    __type(value, __u64);
} config SEC(".maps");

struct record_buf {
    __u64 words[MAX_RECORD / 8];
};

/* Source of perf samples: bpf_perf_event_output copies from memory, and 1 KiB is over the stack limit. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct record_buf);
} scratch SEC(".maps");

/* The context the harness passes to BPF_PROG_TEST_RUN. */
struct burst_args {
    __u64 first_seq;
    __u32 count;
    __u32 size;
};

/* No counters in here: the verifier would tell every bpf_loop iteration apart by their values. */
struct burst_state {
    void *ctx;
    __u64 *buf;
    __u64 seq;
    __u32 size;
};

/* Records of the current burst that found the ring full. */
static __u64 burst_drops;

static __always_inline void add_stats(__u64 emitted, __u64 dropped)
{
    __u32 k = 0;
    __u64 *v = bpf_map_lookup_elem(&stats, &k);
    if (v && dropped)
        __sync_fetch_and_add(v, dropped);
    k = 1;
    v = bpf_map_lookup_elem(&stats, &k);
    if (v && emitted)
        __sync_fetch_and_add(v, emitted);
}

/* Reserve sizes must be constants for the verifier: one branch per record size. */
static __always_inline int ring_emit(__u64 seq, __u32 size)
{
    __u64 *r;
    if (size == MAX_RECORD) {
        r = bpf_ringbuf_reserve(&ring, MAX_RECORD, 0);
        if (!r)
            return 0;
        r[0] = seq;
        r[MAX_RECORD / 8 - 1] = ~seq;
    } else {
        r = bpf_ringbuf_reserve(&ring, 64, 0);
        if (!r)
            return 0;
        r[0] = seq;
        r[64 / 8 - 1] = ~seq;
    }
    bpf_ringbuf_submit(r, 0);
    return 1;
}

static __always_inline int perf_emit(void *ctx, __u64 *buf, __u64 seq, __u32 size)
{
    buf[0] = seq;
    if (size == MAX_RECORD) {
        buf[MAX_RECORD / 8 - 1] = ~seq;
        return bpf_perf_event_output(ctx, &perf, BPF_F_CURRENT_CPU, buf, MAX_RECORD) == 0;
    }
    buf[64 / 8 - 1] = ~seq;
    return bpf_perf_event_output(ctx, &perf, BPF_F_CURRENT_CPU, buf, 64) == 0;
}

static long ring_step(__u32 i, void *data)
{
    struct burst_state *s = data;
    if (!ring_emit(s->seq + i, s->size))
        __sync_fetch_and_add(&burst_drops, 1);
    return 0;
}

static long perf_step(__u32 i, void *data)
{
    struct burst_state *s = data;
    if (!perf_emit(s->ctx, s->buf, s->seq + i, s->size))
        __sync_fetch_and_add(&burst_drops, 1);
    return 0;
}

SEC("syscall")
int burst_ring(struct burst_args *args)
{
    struct burst_state s = { .seq = args->first_seq, .size = args->size };
    __u32 n = args->count;
    burst_drops = 0;
    bpf_loop(n, ring_step, &s, 0);
    __u64 drops = burst_drops;
    add_stats(n - drops, drops);
    return n - drops;
}

/* Returns the record size if the current thread is the benchmark's producer, else 0. */
static __always_inline __u32 producer_size(void)
{
    __u32 k = 0;
    __u64 *tid = bpf_map_lookup_elem(&config, &k);
    if (!tid || *tid != (__u32)bpf_get_current_pid_tgid())
        return 0;
    k = 1;
    __u64 *size = bpf_map_lookup_elem(&config, &k);
    return size ? (__u32)*size : 0;
}

/*
 * The perf burst is triggered by getppid() instead of a test run: syscall programs are sleepable
 * and may not use perf event arrays, and samples written by a raw_tp program under
 * BPF_PROG_TEST_RUN never reach the perf rings here (the helper returns 0, nothing is written).
 * Each getppid() of the producer thread emits config[2] records of config[1] bytes with bpf_loop.
 */
static __u64 perf_seq;

SEC("tracepoint/syscalls/sys_enter_getppid")
int burst_perf(void *ctx)
{
    __u32 size = producer_size();
    if (!size)
        return 0;
    __u32 zero = 0, two = 2;
    __u64 *buf = bpf_map_lookup_elem(&scratch, &zero);
    __u64 *n = bpf_map_lookup_elem(&config, &two);
    if (!buf || !n)
        return 0;
    __u32 count = *n;
    struct burst_state s = { .ctx = ctx, .buf = buf, .seq = perf_seq, .size = size };
    burst_drops = 0;
    bpf_loop(count, perf_step, &s, 0);
    perf_seq += count;
    __u64 drops = burst_drops;
    add_stats(count - drops, drops);
    return 0;
}

static __u64 tp_seq;

SEC("tracepoint/syscalls/sys_enter_getpid")
int tp_ring(void *ctx)
{
    __u32 size = producer_size();
    if (!size)
        return 0;
    __u64 seq = tp_seq++;
    int ok = ring_emit(seq, size);
    add_stats(ok, !ok);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int tp_perf(void *ctx)
{
    __u32 size = producer_size();
    if (!size)
        return 0;
    __u32 zero = 0;
    __u64 *buf = bpf_map_lookup_elem(&scratch, &zero);
    if (!buf)
        return 0;
    __u64 seq = tp_seq++;
    int ok = perf_emit(ctx, buf, seq, size);
    add_stats(ok, !ok);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
