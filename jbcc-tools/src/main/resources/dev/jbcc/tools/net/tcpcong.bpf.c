// jbcc tcpcong: how long each TCP flow spent in each congestion state (open, disorder, cwr,
// recovery, loss), from the tcp:tcp_cong_state_set tracepoint (every tcp_set_ca_state). A flow's
// first change seen only starts its clock; each later change to another state adds the time
// since the previous one to the state it leaves. The tool prints and clears the tables.
// Defines: LPORT_OK, DPORT_OK (tests of lport, dport); DIST (histograms per state instead of
// sums); MICROSECONDS (the histograms' unit; else milliseconds).
struct flow_t {
    u8 saddr[16];
    u8 daddr[16];
    u16 lport;
    u16 dport;
    u16 family;
    u16 pad;
};

struct stat_t {
    u64 open_us;
    u64 disorder_us;
    u64 cwr_us;
    u64 recovery_us;
    u64 loss_us;
    u64 changes;
    u64 last_ts;
    u32 last_state;
    u32 pad;
};

BPF_HASH(stats, struct flow_t, struct stat_t, 10240);

#if DIST
struct hkey_t {
    u64 state;
    u64 slot;
};
BPF_HISTOGRAM(dist, struct hkey_t);
#endif

TRACEPOINT_PROBE(tcp, tcp_cong_state_set)
{
    u16 lport = args->sport, dport = args->dport;
    if (!(LPORT_OK) || !(DPORT_OK))
        return 0;
    struct flow_t flow = {};
    flow.family = args->family;
    flow.lport = lport;
    flow.dport = dport;
    TP_ADDRESSES(args, flow.family, flow.saddr, flow.daddr);
    u32 state = args->cong_state;
    u64 now = bpf_ktime_get_ns();
    struct stat_t *st = stats.lookup(&flow);
    if (!st) {
        struct stat_t first = {.last_ts = now, .last_state = state};
        stats.update(&flow, &first);
        return 0;
    }
    u32 left = st->last_state;
    if (state == left)
        return 0;
    u64 us = (now - st->last_ts) / 1000;
    st->last_ts = now;
    st->last_state = state;
#if DIST
#if !MICROSECONDS
    us /= 1000;
#endif
    struct hkey_t key = {.state = left, .slot = bpf_log2l(us)};
    dist.atomic_increment(key);
#else
    st->changes++;
    switch (left) {
    case TCP_CA_Open: st->open_us += us; break;
    case TCP_CA_Disorder: st->disorder_us += us; break;
    case TCP_CA_CWR: st->cwr_us += us; break;
    case TCP_CA_Recovery: st->recovery_us += us; break;
    case TCP_CA_Loss: st->loss_us += us; break;
    }
#endif
    return 0;
}
