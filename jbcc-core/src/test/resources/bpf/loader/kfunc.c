// kfunc calls: one the kernel has (bpf_cast_to_kern_ctx, Linux 6.2), and a weak one it lacks,
// guarded by a test of its address (libbpf 1.1 has no bpf_ksym_exists) so the poisoned call
// is never reached.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern int jbcc_no_such_kfunc(void *obj) __ksym __weak;

SEC("xdp")
int packet_length(struct xdp_md *ctx)
{
    struct xdp_buff *kctx = bpf_cast_to_kern_ctx(ctx);
    if ((unsigned long)jbcc_no_such_kfunc)
        return jbcc_no_such_kfunc(ctx);
    return (long)kctx->data_end - (long)kctx->data;
}

char LICENSE[] SEC("license") = "GPL";
