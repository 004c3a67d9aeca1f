// jbcc dcstat: directory entry cache statistics. Each path component lookup_fast() resolves is a
// reference; a d_lookup() (the slow path) is a slow lookup, and a miss when it finds nothing.
// Only kprobes see these. The counts only grow; the tool prints the differences.
enum dc_stat { S_REFS = 1, S_SLOW, S_MISS, S_MAX };

BPF_ARRAY(stats, u64, S_MAX);

int reference(struct pt_regs *ctx)
{
    stats.atomic_increment(S_REFS);
    return 0;
}

int kretprobe__d_lookup(struct pt_regs *ctx)
{
    stats.atomic_increment(S_SLOW);
    if (PT_REGS_RC(ctx) == 0)
        stats.atomic_increment(S_MISS);
    return 0;
}
