// Drains a user ring buffer that Java fills, for UserRingBufferTest (a syscall program run
// through BPF_PROG_TEST_RUN).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_USER_RINGBUF);
    __uint(max_entries, 4096);
} commands SEC(".maps");

__u64 drained;   /* samples handed to the callback, over all runs */
__u64 sum;       /* sum of their first u64 */
__u64 last;      /* the first u64 of the latest one */
__u64 wide;      /* samples of 16 bytes or more (a second u64 could be read) */

static long on_sample(struct bpf_dynptr *sample, void *ctx)
{
    __u64 value;

    if (bpf_dynptr_read(&value, sizeof(value), sample, 0, 0))
        return 1;
    if (value <= last && drained > 0)
        return 1;   /* out of order: stop, and the test sees drained fall short */
    last = value;
    sum += value;
    if (!bpf_dynptr_read(&value, sizeof(value), sample, 8, 0))
        wide++;
    drained++;
    return 0;
}

SEC("syscall")
int drain(void *ctx)
{
    return bpf_user_ringbuf_drain(&commands, on_sample, NULL, 0);
}

char LICENSE[] SEC("license") = "GPL";
