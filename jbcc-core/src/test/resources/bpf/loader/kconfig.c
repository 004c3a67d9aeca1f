// .kconfig externs and a typed __ksym (a per-CPU kernel variable found through kernel BTF).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern bool CONFIG_JBCC_NOT_A_REAL_OPTION __kconfig __weak;

extern struct rq runqueues __ksym;

__u32 kernel_version;
int hz;
int bpf_syscall;
int missing_option = -1;
int rq_cpu = -1;

SEC("raw_tp/sys_enter")
int read_config(void *ctx)
{
    kernel_version = LINUX_KERNEL_VERSION;
    hz = CONFIG_HZ;
    bpf_syscall = CONFIG_BPF_SYSCALL;
    missing_option = CONFIG_JBCC_NOT_A_REAL_OPTION;
    struct rq *rq = bpf_per_cpu_ptr(&runqueues, 1);
    if (rq)
        rq_cpu = rq->cpu;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
