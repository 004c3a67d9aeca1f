// .kconfig externs, laid out by the loader in a frozen .kconfig map.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern bool CONFIG_JBCC_NOT_A_REAL_OPTION __kconfig __weak;

__u32 kernel_version;
int hz;
int bpf_syscall;
int missing_option = -1;

SEC("raw_tp/sys_enter")
int read_config(void *ctx)
{
    kernel_version = LINUX_KERNEL_VERSION;
    hz = CONFIG_HZ;
    bpf_syscall = CONFIG_BPF_SYSCALL;
    missing_option = CONFIG_JBCC_NOT_A_REAL_OPTION;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
