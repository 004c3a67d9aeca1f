// Every CO-RE relocation kind, against local ___v1 flavours of kernel types whose layout differs
// from the kernel's (other order, other widths, fields the kernel lacks). Each result lands in a
// global, so a test run shows what the loader patched in.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct sched_entity___v1 {
    __u64 vruntime;
} __attribute__((preserve_access_index));

struct task_struct___v1 {
    int jbcc_no_such_field;
    unsigned int flags;
    pid_t tgid;
    pid_t pid;
    char comm[16];
    struct sched_entity___v1 se;
    unsigned int in_execve : 1;
} __attribute__((preserve_access_index));

struct sk_buff___v1 {
    unsigned short len;       /* the kernel's is unsigned int: loads get widened */
    unsigned char pkt_type : 3;
} __attribute__((preserve_access_index));

/* Same shape as the kernel's list_head, under a flavour: matches. */
struct list_head___good {
    struct list_head___good *next, *prev;
};

/* An int where the kernel has a pointer: does not match. */
struct list_head___bad {
    int next;
    struct list_head___bad *prev;
};

struct jbcc_no_such_type___v1 {
    int x;
};

enum pid_type___v1 {
    PIDTYPE_SID___v1 = 100,
    PIDTYPE_PGID___v1 = 101,
    JBCC_NO_SUCH_PIDTYPE___v1 = 102,
};

__u64 off_pid = -1, off_tgid = -1, off_comm3 = -1, off_vruntime = -1;
__u64 size_comm = -1, size_pid = -1;
__u64 exists_pid = -1, exists_missing = -1;
__u64 signed_pid = -1, signed_flags = -1;
__u64 lshift_in_execve = -1, rshift_in_execve = -1;
__u64 id_local = -1, id_kernel = -1;
__u64 type_exists = -1, type_missing = -1, type_size = -1, type_size_missing = -1;
__u64 matches_good = -1, matches_bad = -1;
__u64 enum_exists = -1, enum_missing = -1, enum_sid = -1, enum_pgid = -1;
__u64 in_execve = -1, comm0 = -1;

SEC("raw_tp/sys_enter")
int kinds(void *ctx)
{
    struct task_struct___v1 *task = (void *)bpf_get_current_task();

    off_pid = bpf_core_field_offset(struct task_struct___v1, pid);
    off_tgid = bpf_core_field_offset(task->tgid);
    off_comm3 = bpf_core_field_offset(task->comm[3]);
    off_vruntime = bpf_core_field_offset(task->se.vruntime);
    size_comm = bpf_core_field_size(task->comm);
    size_pid = bpf_core_field_size(task->pid);
    exists_pid = bpf_core_field_exists(task->pid);
    exists_missing = bpf_core_field_exists(task->jbcc_no_such_field);
    signed_pid = __builtin_preserve_field_info(task->pid, BPF_FIELD_SIGNED);
    signed_flags = __builtin_preserve_field_info(task->flags, BPF_FIELD_SIGNED);
    lshift_in_execve = __builtin_preserve_field_info(task->in_execve, BPF_FIELD_LSHIFT_U64);
    rshift_in_execve = __builtin_preserve_field_info(task->in_execve, BPF_FIELD_RSHIFT_U64);

    id_local = bpf_core_type_id_local(struct task_struct___v1);
    id_kernel = bpf_core_type_id_kernel(struct task_struct___v1);
    type_exists = bpf_core_type_exists(struct task_struct___v1);
    type_missing = bpf_core_type_exists(struct jbcc_no_such_type___v1);
    type_size = bpf_core_type_size(struct task_struct___v1);
    type_size_missing = bpf_core_type_size(struct jbcc_no_such_type___v1);
    matches_good = bpf_core_type_matches(struct list_head___good);
    matches_bad = bpf_core_type_matches(struct list_head___bad);

    enum_exists = bpf_core_enum_value_exists(enum pid_type___v1, PIDTYPE_SID___v1);
    enum_missing = bpf_core_enum_value_exists(enum pid_type___v1, JBCC_NO_SUCH_PIDTYPE___v1);
    enum_sid = bpf_core_enum_value(enum pid_type___v1, PIDTYPE_SID___v1);
    enum_pgid = bpf_core_enum_value(enum pid_type___v1, PIDTYPE_PGID___v1);
    if (enum_missing)
        enum_pgid = bpf_core_enum_value(enum pid_type___v1, JBCC_NO_SUCH_PIDTYPE___v1); /* poisoned, unreachable */

    in_execve = BPF_CORE_READ_BITFIELD_PROBED(task, in_execve);
    comm0 = BPF_CORE_READ(task, comm[0]);
    return 0;
}

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

__u64 pkt_type = -1, skb_len = -1;

SEC("tc")
int skb_bits(struct __sk_buff *ctx)
{
    struct sk_buff___v1 *skb = bpf_cast_to_kern_ctx(ctx);

    pkt_type = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
    skb_len = skb->len;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
