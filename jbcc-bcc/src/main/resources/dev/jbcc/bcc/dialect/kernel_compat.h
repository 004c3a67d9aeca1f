/*
 * jbcc's kernel compatibility header, version 1: what kernel headers give bcc programs and BTF
 * does not carry (#defines, function-like macros, static inline helpers, member aliases).
 * Written for jbcc; the values here are the same on every kernel jbcc supports (4.18 to 6.18,
 * x86_64 and arm64). Values that differ between kernels (DNAME_INLINE_LEN, DISK_NAME_LEN,
 * LINUX_VERSION_CODE, the CONFIG_ options a program tests) come from the running kernel's BTF,
 * release and kconfig, in the header KernelCompat generates, with the sock member aliases.
 * KernelCompatTest checks each entry against the kernel.
 */
#ifndef __JBCC_KERNEL_COMPAT_H
#define __JBCC_KERNEL_COMPAT_H
#define __JBCC_KERNEL_COMPAT_VERSION 1

/* ---- sparse annotations ---- */
#define __user
#define __kernel
#define __force
#define __iomem
#define __rcu
#define __percpu
#define __bitwise

/* ---- limits and flags ---- */
#ifndef NAME_MAX
#define NAME_MAX 255
#endif
#ifndef PATH_MAX
#define PATH_MAX 4096
#endif
#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define FMODE_CREATED 0x100000
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)
#define SCM_RIGHTS 0x01
#define SCM_CREDENTIALS 0x02
/* The block layer's request operation: the low REQ_OP_BITS bits of cmd_flags. */
#define REQ_OP_BITS 8
#define REQ_OP_MASK ((1 << REQ_OP_BITS) - 1)
/* Scatterlist chaining: the low bits of page_link. */
#define SG_CHAIN 0x01UL
#define SG_END 0x02UL

#if defined(__TARGET_ARCH_x86)
/* x86_64's direct map base (arch/x86/include/asm/page_64_types.h), 4- and 5-level paging. */
#define __PAGE_OFFSET_BASE_L4 0xffff888000000000UL
#define __PAGE_OFFSET_BASE_L5 0xff11000000000000UL
#endif

/* ---- helpers ---- */
#ifndef min
#define min(x, y) ({ typeof(x) __jbcc_x = (x); typeof(y) __jbcc_y = (y); __jbcc_x < __jbcc_y ? __jbcc_x : __jbcc_y; })
#endif
#ifndef max
#define max(x, y) ({ typeof(x) __jbcc_x = (x); typeof(y) __jbcc_y = (y); __jbcc_x > __jbcc_y ? __jbcc_x : __jbcc_y; })
#endif
#define min_t(type, x, y) ({ type __jbcc_x = (x); type __jbcc_y = (y); __jbcc_x < __jbcc_y ? __jbcc_x : __jbcc_y; })
#define max_t(type, x, y) ({ type __jbcc_x = (x); type __jbcc_y = (y); __jbcc_x > __jbcc_y ? __jbcc_x : __jbcc_y; })
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1UL << (n))
#ifndef container_of
#define container_of(ptr, type, member) ((type *)((void *)(ptr) - __builtin_offsetof(type, member)))
#endif
static __always_inline u64 div_u64(u64 dividend, u32 divisor) { return dividend / divisor; }
static __always_inline s64 div_s64(s64 dividend, s32 divisor) { return dividend / divisor; }

/* Socket casts (include/linux/tcp.h, net/inet_sock.h, net/inet_connection_sock.h). */
#define tcp_sk(sk) ((struct tcp_sock *)(sk))
#define inet_sk(sk) ((struct inet_sock *)(sk))
#define inet_csk(sk) ((struct inet_connection_sock *)(sk))
#define udp_sk(sk) ((struct udp_sock *)(sk))
#define tcp_rsk(req) ((struct tcp_request_sock *)(req))
#define inet_rsk(req) ((struct inet_request_sock *)(req))

/* Scatterlist walking (include/linux/scatterlist.h). */
#define sg_is_chain(sg) ((sg)->page_link & SG_CHAIN)
#define sg_is_last(sg) ((sg)->page_link & SG_END)
#define sg_chain_ptr(sg) ((struct scatterlist *)((sg)->page_link & ~(SG_CHAIN | SG_END)))

/* Reads a tracepoint's __data_loc string (offset in the low 16 bits) into dst, at most length bytes. */
#define TP_DATA_LOC_READ_STR(dst, field, length)                                            \
    do {                                                                                    \
        unsigned short __jbcc_offset = args->data_loc_##field & 0xFFFF;                     \
        bpf_probe_read_kernel_str((void *)(dst), (length), (char *)args + __jbcc_offset);   \
    } while (0)

/* ---- member aliases (sk_state, inet_daddr, ...): KernelCompat.MEMBER_ALIASES, in the generated part ---- */

#endif /* __JBCC_KERNEL_COMPAT_H */
