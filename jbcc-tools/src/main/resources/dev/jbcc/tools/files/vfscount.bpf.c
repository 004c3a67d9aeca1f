// jbcc vfscount: calls of every vfs_* kernel function, counted by the probed address (the tool
// names it). Only kprobes see these.
BPF_HASH(counts, u64, u64, 1024);

int count(struct pt_regs *ctx)
{
    u64 ip = PT_REGS_IP(ctx);
    counts.atomic_increment(ip);
    return 0;
}
