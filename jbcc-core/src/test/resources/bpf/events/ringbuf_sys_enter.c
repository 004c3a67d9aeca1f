// A raw tracepoint on sys_enter that reports close(2) calls with marker fds from one process
// into a ring buffer: RingBufferTest attaches it and calls close(-1000000 - i) from Java.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define NR_CLOSE 3                 /* x86-64 */
#define PT_REGS_DI_OFFSET 112      /* struct pt_regs on x86-64: r15 ... si, di */
#define MARKER_BASE 1000000

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 20);
} calls SEC(".maps");

__u32 target_tgid;
__u64 dropped;

SEC("raw_tp/sys_enter")
int on_sys_enter(unsigned long long *ctx)
{
    long arg;
    int fd;

    if (ctx[1] != NR_CLOSE || (bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    /* ctx[0] is the syscall's struct pt_regs; read its first argument without CO-RE. */
    if (bpf_probe_read_kernel(&arg, sizeof(arg), (void *)ctx[0] + PT_REGS_DI_OFFSET))
        return 0;
    fd = (int)arg;   /* close() takes an unsigned int: libc passes the low 32 bits */
    if (fd > -MARKER_BASE || fd <= -2 * MARKER_BASE)
        return 0;
    __u64 *r = bpf_ringbuf_reserve(&calls, 2 * sizeof(__u64), 0);
    if (!r) {
        __sync_fetch_and_add(&dropped, 1);
        return 0;
    }
    r[0] = -fd - MARKER_BASE;
    r[1] = bpf_get_current_pid_tgid() & 0xffffffff;
    bpf_ringbuf_submit(r, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
