/*
 * jbcc's prelude for bcc-dialect programs. Every kernel header a bcc program includes resolves
 * to this file: the running kernel's types come from vmlinux.h (its BTF), libbpf's BPF-side
 * headers give the helpers, and this file adds what BTF cannot carry (macros and #defines) plus
 * the pieces of bcc's dialect that are macros. Map declarations and table methods are rewritten
 * by jbcc before clang sees the program; their expansions live here.
 */
#ifndef __JBCC_BCC_PRELUDE_H
#define __JBCC_BCC_PRELUDE_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* ---- constants that are #defines in the kernel, so BTF does not have them ---- */

#define ETH_ALEN 6
#define ETH_TLEN 2
#define ETH_HLEN 14
#define ETH_ZLEN 60
#define ETH_DATA_LEN 1500
#define ETH_FRAME_LEN 1514
#define ETH_FCS_LEN 4
#define ETH_P_LOOP 0x0060
#define ETH_P_ALL 0x0003
#define ETH_P_802_2 0x0004
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_RARP 0x8035
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_IPV6 0x86DD
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
#define ETH_P_PPP_SES 0x8864
#define ETH_P_LLDP 0x88CC

#define TC_ACT_UNSPEC (-1)
#define TC_ACT_OK 0
#define TC_ACT_RECLASSIFY 1
#define TC_ACT_SHOT 2
#define TC_ACT_PIPE 3
#define TC_ACT_STOLEN 4
#define TC_ACT_QUEUED 5
#define TC_ACT_REPEAT 6
#define TC_ACT_REDIRECT 7
#define TC_ACT_TRAP 8

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_PACKET 17
#define PF_UNSPEC AF_UNSPEC
#define PF_UNIX AF_UNIX
#define PF_INET AF_INET
#define PF_INET6 AF_INET6
#define PF_NETLINK AF_NETLINK
#define PF_PACKET AF_PACKET
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3

#define IFNAMSIZ 16
#define IP_MF 0x2000
#define IP_OFFSET 0x1FFF
#define TCP_FLAG_SYN 0x02

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define E2BIG 7
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define ENOTSUP 95
#define EOPNOTSUPP 95
#define ETIMEDOUT 110
#define ECONNREFUSED 111
#define MAX_ERRNO 4095

#define TASK_RUNNING 0x0000
#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define __TASK_STOPPED 0x0004
#define __TASK_TRACED 0x0008
#define EXIT_DEAD 0x0010
#define EXIT_ZOMBIE 0x0020
#define TASK_PARKED 0x0040
#define TASK_DEAD 0x0080

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)

#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_TRUNC 00001000
#define O_APPEND 00002000

#include "kernel_compat.h"

#if defined(__TARGET_ARCH_x86) || defined(__TARGET_ARCH_arm64)
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#endif

/* ---- bcc's names ---- */

#ifndef NULL
#define NULL ((void *)0)
#endif
#ifndef offsetof
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif
#define htons(x) bpf_htons(x)
#define ntohs(x) bpf_ntohs(x)
#define htonl(x) bpf_htonl(x)
#define ntohl(x) bpf_ntohl(x)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define lock_xadd(ptr, val) ((void)__sync_fetch_and_add(ptr, val))
#define BCC_SEC(name) __attribute__((section(name), used))

/* bcc's log2 helpers: bpf_log2(v) is floor(log2(v)) (0 for 0); bpf_log2l(v) is the log2
 * histogram slot of v, 1 + floor(log2(v)), where 0 and 1 share slot 1 as in bcc. Branch-free
 * halving, so the verifier sees no loop. */
static __always_inline unsigned int bpf_log2(unsigned int v)
{
    unsigned int r, shift;
    r = (v > 0xFFFF) << 4; v >>= r;
    shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
    shift = (v > 0xF) << 2; v >>= shift; r |= shift;
    shift = (v > 0x3) << 1; v >>= shift; r |= shift;
    return r | (v >> 1);
}
static __always_inline unsigned int bpf_log2l(unsigned long v)
{
    unsigned int hi = v >> 32;
    return hi ? bpf_log2(hi) + 33 : bpf_log2(v) + 1;
}

/* bcc's packet loads for socket filters: LLVM's BPF_LD_ABS intrinsics, big-endian values at an
 * offset from the start of the packet (the skb must be the program's context). */
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");
/* bcc's packet cursor (see <bcc/proto.h>): a pointer that counts bytes from the start of the
 * packet; cursor_advance hands out the current position and moves the cursor past a header. */
#define cursor_advance(_cursor, _len) ({ void *__jbcc_at = (_cursor); (_cursor) += (_len); __jbcc_at; })
#define __JBCC_FIELD_MASK(bits) ((bits) >= 64 ? ~0ULL : (1ULL << (bits)) - 1)

/* The field of bsz bits that starts bofs bits into the packet byte at off (bits counted from the
 * most significant), in host order: what jbcc rewrites a read of a packet header field to. */
static __always_inline unsigned long long bpf_dext_pkt(void *skb, unsigned long long off,
                                                       unsigned long long bofs, unsigned long long bsz)
{
    unsigned long long last = bofs + bsz, unit;
    unsigned int width;
    if (last <= 8) { unit = load_byte(skb, off); width = 8; }
    else if (last <= 16) { unit = load_half(skb, off); width = 16; }
    else if (last <= 32) { unit = load_word(skb, off); width = 32; }
    else { unit = load_word(skb, off) << 32 | load_word(skb, off + 4); width = 64; }
    return (unit >> (width - last)) & __JBCC_FIELD_MASK(bsz);
}

/* Stores value into that field, keeping the other bits of the bytes it shares (a write of a
 * packet header field); needs bpf_skb_store_bytes, so TC programs, not socket filters. */
static __always_inline void bpf_dins_pkt(void *skb, unsigned long long off, unsigned long long bofs,
                                         unsigned long long bsz, unsigned long long value)
{
    unsigned long long last = bofs + bsz, mask = __JBCC_FIELD_MASK(bsz);
    if (last <= 8) {
        __u8 unit = (load_byte(skb, off) & ~(mask << (8 - last))) | ((value & mask) << (8 - last));
        bpf_skb_store_bytes(skb, off, &unit, 1, 0);
    } else if (last <= 16) {
        __u16 unit = bpf_htons((load_half(skb, off) & ~(mask << (16 - last))) | ((value & mask) << (16 - last)));
        bpf_skb_store_bytes(skb, off, &unit, 2, 0);
    } else if (last <= 32) {
        __u32 unit = bpf_htonl((load_word(skb, off) & ~(mask << (32 - last))) | ((value & mask) << (32 - last)));
        bpf_skb_store_bytes(skb, off, &unit, 4, 0);
    } else {
        unsigned long long old = load_word(skb, off) << 32 | load_word(skb, off + 4);
        __u64 unit = bpf_cpu_to_be64((old & ~(mask << (64 - last))) | ((value & mask) << (64 - last)));
        bpf_skb_store_bytes(skb, off, &unit, 8, 0);
    }
}
#define __JBCC_STR(x) #x
#define __JBCC_XSTR(x) __JBCC_STR(x)
#define BPF_MAX_STACK_DEPTH 127
struct bpf_stacktrace { u64 ip[BPF_MAX_STACK_DEPTH]; };
struct bpf_stacktrace_buildid { struct bpf_stack_build_id trace[BPF_MAX_STACK_DEPTH]; };

#if defined(__TARGET_ARCH_x86)
/* libbpf's bpf_tracing.h stops at the fifth argument register. */
#ifndef PT_REGS_PARM6
#define PT_REGS_PARM6(x) (__PT_REGS_CAST(x)->r9)
#endif
#ifndef PT_REGS_PARM6_CORE_SYSCALL
#define PT_REGS_PARM6_CORE_SYSCALL(x) BPF_CORE_READ(x, r9)
#endif
#endif

/* Reads a tracepoint's __data_loc field (offset in the low 16 bits) into dst. */
#define TP_DATA_LOC_READ_CONST(dst, field, length)                                          \
    do {                                                                                    \
        unsigned short __jbcc_offset = args->data_loc_##field & 0xFFFF;                     \
        bpf_probe_read_kernel((void *)(dst), (length), (char *)args + __jbcc_offset);       \
    } while (0)
#define TP_DATA_LOC_READ(dst, field)                                                        \
    do {                                                                                    \
        unsigned short __jbcc_offset = args->data_loc_##field & 0xFFFF;                     \
        unsigned short __jbcc_length = args->data_loc_##field >> 16;                        \
        bpf_probe_read_kernel((void *)(dst), __jbcc_length, (char *)args + __jbcc_offset);  \
    } while (0)

/* ---- probe macros (TRACEPOINT_PROBE is rewritten by jbcc: it needs the tracefs format) ---- */

#define RAW_TRACEPOINT_PROBE(event)                                                         \
    __attribute__((section("raw_tracepoint/" #event), used))                                \
    int raw_tracepoint__##event(struct bpf_raw_tracepoint_args *ctx)
#define KFUNC_PROBE(event, args...)                                                         \
    __attribute__((section("fentry/" #event), used)) int BPF_PROG(kfunc__##event, ##args)
#define KRETFUNC_PROBE(event, args...)                                                      \
    __attribute__((section("fexit/" #event), used)) int BPF_PROG(kretfunc__##event, ##args)
#define KMOD_RET(event, args...)                                                            \
    __attribute__((section("fmod_ret/" #event), used)) int BPF_PROG(kmod_ret__##event, ##args)
#define LSM_PROBE(event, args...)                                                           \
    __attribute__((section("lsm/" #event), used)) int BPF_PROG(lsm__##event, ##args)
#define BPF_ITER(target)                                                                    \
    __attribute__((section("iter/" #target), used))                                         \
    int bpf_iter__##target(struct bpf_iter__##target *ctx)

/* ---- table methods: jbcc rewrites `t.method(args)` to `__JBCC_METHOD(t, args)` ---- */

#define __JBCC_MAP(t) ((void *)&(t))
#define __JBCC_LOOKUP(t, k) ((typeof((t).value))bpf_map_lookup_elem(__JBCC_MAP(t), (k)))
#define __JBCC_UPDATE(t, k, v) bpf_map_update_elem(__JBCC_MAP(t), (k), (v), BPF_ANY)
#define __JBCC_INSERT(t, k, v) bpf_map_update_elem(__JBCC_MAP(t), (k), (v), BPF_NOEXIST)
#define __JBCC_DELETE(t, k) bpf_map_delete_elem(__JBCC_MAP(t), (k))
/* bcc: on failure the program returns 0. */
#define __JBCC_LOOKUP_OR_INIT(t, k, init) ({                                                \
        const void *__jbcc_k = (k);                                                         \
        typeof((t).value) __jbcc_leaf = bpf_map_lookup_elem(__JBCC_MAP(t), __jbcc_k);       \
        if (!__jbcc_leaf) {                                                                 \
            bpf_map_update_elem(__JBCC_MAP(t), __jbcc_k, (init), BPF_NOEXIST);              \
            __jbcc_leaf = bpf_map_lookup_elem(__JBCC_MAP(t), __jbcc_k);                     \
            if (!__jbcc_leaf) return 0;                                                     \
        }                                                                                   \
        __jbcc_leaf; })
#define __JBCC_LOOKUP_OR_TRY_INIT(t, k, init) ({                                            \
        const void *__jbcc_k = (k);                                                         \
        typeof((t).value) __jbcc_leaf = bpf_map_lookup_elem(__JBCC_MAP(t), __jbcc_k);       \
        if (!__jbcc_leaf) {                                                                 \
            bpf_map_update_elem(__JBCC_MAP(t), __jbcc_k, (init), BPF_NOEXIST);              \
            __jbcc_leaf = bpf_map_lookup_elem(__JBCC_MAP(t), __jbcc_k);                     \
        }                                                                                   \
        __jbcc_leaf; })
#define __JBCC_INCREMENT(t, ...) __JBCC_INCREMENT_(t, __VA_ARGS__, 1, )
#define __JBCC_INCREMENT_(t, k, n, ...) ({                                                  \
        typeof(*(t).key) __jbcc_key = (k);                                                  \
        typeof((t).value) __jbcc_leaf = bpf_map_lookup_elem(__JBCC_MAP(t), &__jbcc_key);    \
        if (__jbcc_leaf) {                                                                  \
            *__jbcc_leaf += (n);                                                            \
        } else {                                                                            \
            typeof(*(t).value) __jbcc_init = (n);                                           \
            bpf_map_update_elem(__JBCC_MAP(t), &__jbcc_key, &__jbcc_init, BPF_NOEXIST);     \
        }                                                                                   \
        0; })
#define __JBCC_ATOMIC_INCREMENT(t, ...) __JBCC_ATOMIC_INCREMENT_(t, __VA_ARGS__, 1, )
#define __JBCC_ATOMIC_INCREMENT_(t, k, n, ...) ({                                           \
        typeof(*(t).key) __jbcc_key = (k);                                                  \
        typeof((t).value) __jbcc_leaf = bpf_map_lookup_elem(__JBCC_MAP(t), &__jbcc_key);    \
        if (__jbcc_leaf) {                                                                  \
            __sync_fetch_and_add(__jbcc_leaf, (n));                                         \
        } else {                                                                            \
            typeof(*(t).value) __jbcc_init = (n);                                           \
            if (bpf_map_update_elem(__JBCC_MAP(t), &__jbcc_key, &__jbcc_init, BPF_NOEXIST)) { \
                __jbcc_leaf = bpf_map_lookup_elem(__JBCC_MAP(t), &__jbcc_key);              \
                if (__jbcc_leaf) __sync_fetch_and_add(__jbcc_leaf, (n));                    \
            }                                                                               \
        }                                                                                   \
        0; })
#define __JBCC_PERF_SUBMIT(t, ctx, data, size)                                              \
    bpf_perf_event_output((ctx), __JBCC_MAP(t), BPF_F_CURRENT_CPU, (data), (size))
#define __JBCC_PERF_SUBMIT_SKB(t, ctx, skb_len, data, size)                                 \
    bpf_perf_event_output((ctx), __JBCC_MAP(t), ((__u64)(skb_len) << 32) | BPF_F_CURRENT_CPU, (data), (size))
#define __JBCC_PERF_READ(t, index) bpf_perf_event_read(__JBCC_MAP(t), (index))
#define __JBCC_PERF_COUNTER_VALUE(t, index, buf, size)                                      \
    bpf_perf_event_read_value(__JBCC_MAP(t), (index), (buf), (size))
#define __JBCC_RINGBUF_OUTPUT(t, data, size, flags) bpf_ringbuf_output(__JBCC_MAP(t), (data), (size), (flags))
#define __JBCC_RINGBUF_RESERVE(t, size) bpf_ringbuf_reserve(__JBCC_MAP(t), (size), 0)
#define __JBCC_RINGBUF_SUBMIT(t, data, flags) bpf_ringbuf_submit(((void)__JBCC_MAP(t), (data)), (flags))
#define __JBCC_RINGBUF_DISCARD(t, data, flags) bpf_ringbuf_discard(((void)__JBCC_MAP(t), (data)), (flags))
#define __JBCC_GET_STACKID(t, ctx, flags) bpf_get_stackid((ctx), __JBCC_MAP(t), (flags))
#define __JBCC_PUSH(t, v, flags) bpf_map_push_elem(__JBCC_MAP(t), (v), (flags))
#define __JBCC_POP(t, v) bpf_map_pop_elem(__JBCC_MAP(t), (v))
#define __JBCC_PEEK(t, v) bpf_map_peek_elem(__JBCC_MAP(t), (v))
#define __JBCC_CALL(t, ctx, index) bpf_tail_call((ctx), __JBCC_MAP(t), (index))
#define __JBCC_REDIRECT_MAP(t, index, flags) bpf_redirect_map(__JBCC_MAP(t), (index), (flags))
#define __JBCC_SOCK_MAP_UPDATE(t, ctx, key, flags) bpf_sock_map_update((ctx), __JBCC_MAP(t), (key), (flags))
#define __JBCC_SOCK_HASH_UPDATE(t, ctx, key, flags) bpf_sock_hash_update((ctx), __JBCC_MAP(t), (key), (flags))
#define __JBCC_MSG_REDIRECT_MAP(t, msg, key, flags) bpf_msg_redirect_map((msg), __JBCC_MAP(t), (key), (flags))
#define __JBCC_MSG_REDIRECT_HASH(t, msg, key, flags) bpf_msg_redirect_hash((msg), __JBCC_MAP(t), (key), (flags))
#define __JBCC_SK_REDIRECT_MAP(t, skb, key, flags) bpf_sk_redirect_map((skb), __JBCC_MAP(t), (key), (flags))
#define __JBCC_SK_REDIRECT_HASH(t, skb, key, flags) bpf_sk_redirect_hash((skb), __JBCC_MAP(t), (key), (flags))
#define __JBCC_SK_STORAGE_GET(t, sk, v, flags)                                              \
    ((typeof((t).value))bpf_sk_storage_get(__JBCC_MAP(t), (sk), (v), (flags)))
#define __JBCC_SK_STORAGE_DELETE(t, sk) bpf_sk_storage_delete(__JBCC_MAP(t), (sk))
#define __JBCC_INODE_STORAGE_GET(t, inode, v, flags)                                        \
    ((typeof((t).value))bpf_inode_storage_get(__JBCC_MAP(t), (inode), (v), (flags)))
#define __JBCC_INODE_STORAGE_DELETE(t, inode) bpf_inode_storage_delete(__JBCC_MAP(t), (inode))
#define __JBCC_TASK_STORAGE_GET(t, task, v, flags)                                          \
    ((typeof((t).value))bpf_task_storage_get(__JBCC_MAP(t), (task), (v), (flags)))
#define __JBCC_TASK_STORAGE_DELETE(t, task) bpf_task_storage_delete(__JBCC_MAP(t), (task))
#define __JBCC_CHECK_CURRENT_TASK(t, index) bpf_current_task_under_cgroup(__JBCC_MAP(t), (index))

/* bcc's bpf_trace_printk: the format is copied to the stack and its size passed. */
#define __JBCC_TRACE_PRINTK(fmt, ...) ({                                                    \
        char __jbcc_fmt[] = fmt;                                                            \
        bpf_trace_printk(__jbcc_fmt, sizeof(__jbcc_fmt), ##__VA_ARGS__); })

#endif /* __JBCC_BCC_PRELUDE_H */
