// jbcc cachestat: page cache accesses, additions and dirtying, counted system-wide. The tool
// attaches count_N to the kernel function of role N (see PageCache): 0 accessed, 1 buffer
// dirtied, 2 added (a miss), 3 page dirtied.
BPF_ARRAY(counts, u64, 4);

static __always_inline int bump(u32 role)
{
    u64 *n = counts.lookup(&role);
    if (n)
        __sync_fetch_and_add(n, 1);
    return 0;
}

int count_0(struct pt_regs *ctx) { return bump(0); }
int count_1(struct pt_regs *ctx) { return bump(1); }
int count_2(struct pt_regs *ctx) { return bump(2); }
int count_3(struct pt_regs *ctx) { return bump(3); }
