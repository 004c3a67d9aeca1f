// CO-RE against a struct of the veth driver: in vmlinux where veth is built in (the host), in the
// veth module's split BTF where it is a module (Debian's kernel in the VM harness).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct veth_priv___local {
    void *peer;
} __attribute__((preserve_access_index));

unsigned long long veth_priv_exists = 99;
unsigned long long peer_offset = 99;

SEC("syscall")
int module_type(void *ctx)
{
    veth_priv_exists = bpf_core_type_exists(struct veth_priv___local);
    peer_offset = bpf_core_field_offset(struct veth_priv___local, peer);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
