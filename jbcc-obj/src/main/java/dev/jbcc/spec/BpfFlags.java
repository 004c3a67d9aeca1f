package dev.jbcc.spec;

/**
 * The kernel's {@code BPF_F_*} flags jbcc uses, each defined here once, with the values of
 * include/uapi/linux/bpf.h. Grouped by the field that takes them.
 */
public final class BpfFlags {
    private BpfFlags() {}

    /** {@code map_flags} of BPF_MAP_CREATE ({@link MapSpec#flags()}). */
    public static final int BPF_F_NO_PREALLOC = 1, BPF_F_NO_COMMON_LRU = 1 << 1, BPF_F_NUMA_NODE = 1 << 2,
            BPF_F_RDONLY = 1 << 3, BPF_F_WRONLY = 1 << 4, BPF_F_RDONLY_PROG = 1 << 7, BPF_F_WRONLY_PROG = 1 << 8,
            BPF_F_MMAPABLE = 1 << 10, BPF_F_INNER_MAP = 1 << 12;
    /** {@code map_flags} of a stack trace map: values are {@code struct bpf_stack_build_id}, not addresses. */
    public static final int BPF_F_STACK_BUILD_ID = 1 << 5;

    /** Element update flags: create or replace, create only, replace only. */
    public static final long BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2;
    /** Element lookup/update flag: copy the value under its {@code bpf_spin_lock}. */
    public static final long BPF_F_LOCK = 4;

    /** {@code prog_flags} of BPF_PROG_LOAD: a sleepable program; a multi-buffer XDP program. */
    public static final int BPF_F_SLEEPABLE = 1 << 4, BPF_F_XDP_HAS_FRAGS = 1 << 5;

    /** {@code attach_flags} of BPF_PROG_ATTACH (cgroups). */
    public static final int BPF_F_ALLOW_OVERRIDE = 1, BPF_F_ALLOW_MULTI = 1 << 1;

    /** {@code flags} of BPF_PROG_TEST_RUN: run on the given CPU. */
    public static final int BPF_F_TEST_RUN_ON_CPU = 1;

    /** {@code flags} of a kprobe_multi / uprobe_multi link: return probes. */
    public static final int BPF_F_KPROBE_MULTI_RETURN = 1, BPF_F_UPROBE_MULTI_RETURN = 1;
}
