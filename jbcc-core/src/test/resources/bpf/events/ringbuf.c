// Ring buffer producer for RingBufferTest, run through BPF_PROG_TEST_RUN as a syscall program.
// Emits records [start, start + count) with sequence numbers; the record shape depends on kind.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096 * 4);     /* tests resize it before load */
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096 * 4);
} other SEC(".maps");

enum kind { K64 = 0, K1024 = 1, K13 = 2, K64_DISCARD_THIRD = 3, KEVENT = 4 };

/* The context Java passes to BPF_PROG_TEST_RUN. */
struct args {
    __u64 start;
    __u64 count;
    __u32 kind;
    __u32 stop_when_full;   /* 1: stop at the first failed reserve; 0: count it in dropped and go on */
    __u32 ring;             /* 0: events, 1: other, 2: even seq to events, odd to other */
    __u32 pad;
};

struct event {
    __u64 seq;
    __u32 pid;
    __s32 delta;
    char comm[16];
    struct {
        __u16 port;
        __u8 proto;
    } addr;
    __u8 flags : 3;
    __u8 level : 5;
};

struct event *event_type_anchor;   /* keeps struct event in the object's BTF */

__u64 dropped;     /* failed reserves, counted when stop_when_full is 0 */
__u64 next_seq;    /* the first sequence number the last run did not emit */

struct loop_state {
    __u64 start;
    __u32 kind;
    __u32 stop;
    __u32 ring;
    __u32 emitted;
    __u64 next;
};

static long failed(struct loop_state *s, __u64 seq)
{
    if (s->stop) {
        s->next = seq;
        return 1;
    }
    __sync_fetch_and_add(&dropped, 1);
    return 0;
}

#define EMIT_WORDS(map, bytes)                                          \
    do {                                                                \
        __u64 *r = bpf_ringbuf_reserve(map, bytes, 0);                  \
        if (!r)                                                         \
            return failed(s, seq);                                      \
        r[0] = seq;                                                     \
        r[(bytes) / 8 - 1] = ~seq;                                      \
        if (s->kind == K64_DISCARD_THIRD && seq % 3 == 2)               \
            bpf_ringbuf_discard(r, 0);                                  \
        else                                                            \
            bpf_ringbuf_submit(r, 0);                                   \
    } while (0)

#define EMIT_13(map)                                                    \
    do {                                                                \
        __u8 *r = bpf_ringbuf_reserve(map, 13, 0);                      \
        if (!r)                                                         \
            return failed(s, seq);                                      \
        *(__u64 *)r = seq;                                              \
        r[12] = (__u8)(seq * 7);                                        \
        bpf_ringbuf_submit(r, 0);                                       \
    } while (0)

#define EMIT_EVENT(map)                                                 \
    do {                                                                \
        struct event *e = bpf_ringbuf_reserve(map, sizeof(*e), 0);      \
        if (!e)                                                         \
            return failed(s, seq);                                      \
        __builtin_memset(e, 0, sizeof(*e));                             \
        e->seq = seq;                                                   \
        e->pid = bpf_get_current_pid_tgid() >> 32;                      \
        e->delta = -(__s32)seq;                                         \
        bpf_get_current_comm(e->comm, sizeof(e->comm));                 \
        e->addr.port = 8080 + seq;                                      \
        e->addr.proto = 6;                                              \
        e->flags = seq & 7;                                             \
        e->level = 17;                                                  \
        bpf_ringbuf_submit(e, 0);                                       \
    } while (0)

#define EMIT(map)                                                       \
    do {                                                                \
        switch (s->kind) {                                              \
        case K64:                                                       \
        case K64_DISCARD_THIRD: EMIT_WORDS(map, 64); break;             \
        case K1024: EMIT_WORDS(map, 1024); break;                       \
        case K13: EMIT_13(map); break;                                  \
        default: EMIT_EVENT(map); break;                                \
        }                                                               \
    } while (0)

static long emit(__u64 i, void *ctx)
{
    struct loop_state *s = ctx;
    __u64 seq = s->start + i;

    if (s->ring == 1 || (s->ring == 2 && (seq & 1)))
        EMIT(&other);
    else
        EMIT(&events);
    s->emitted++;
    return 0;
}

SEC("syscall")
int produce(struct args *args)
{
    struct loop_state s = {
        .start = args->start,
        .kind = args->kind,
        .stop = args->stop_when_full,
        .ring = args->ring,
        .next = args->start + args->count,
    };
    bpf_loop(args->count, emit, &s, 0);
    next_seq = s.next;
    return s.emitted;
}

char LICENSE[] SEC("license") = "GPL";
