// jbcc cachetop: page cache accesses, additions and dirtying, counted per process. The tool
// attaches count_N to the kernel function of role N (see PageCache): 0 accessed, 1 buffer
// dirtied, 2 added (a miss), 3 page dirtied. Defines: FILTER_PID (-1: any).
struct key_t {
    u32 pid;
    u32 uid;
    u32 role;
    u32 pad;
    char comm[TASK_COMM_LEN];
};

BPF_HASH(counts, struct key_t, u64, 10240);

static __always_inline int bump(u32 role)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    struct key_t key = {.pid = id >> 32, .uid = (u32)bpf_get_current_uid_gid(), .role = role};
    bpf_get_current_comm(&key.comm, sizeof(key.comm));
    counts.increment(key);
    return 0;
}

int count_0(struct pt_regs *ctx) { return bump(0); }
int count_1(struct pt_regs *ctx) { return bump(1); }
int count_2(struct pt_regs *ctx) { return bump(2); }
int count_3(struct pt_regs *ctx) { return bump(3); }
