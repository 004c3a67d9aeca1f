// jbcc tcprtt: the smoothed round-trip time of TCP sockets as they receive, from tcp:tcp_probe
// (in tcp_rcv_established), which carries both ends as socket addresses and srtt in us.
// Histograms are by address (bcc's sections; 0 when not by address).
// Defines: FILTER_FAMILY (0: any), LPORT, RPORT (-1: any), LADDR, RADDR (IPv4, network order as
// a u32; 0: any), SECTION (0 none, 1 local address, 2 remote address), FACTOR (us per unit), EXTENSION.
struct hkey_t {
    u64 section;
    u64 slot;
};

struct ext_t {
    u64 total;
    u64 count;
};

BPF_HISTOGRAM(hist, struct hkey_t);
BPF_HASH(ext, u64, struct ext_t);

TRACEPOINT_PROBE(tcp, tcp_probe)
{
    u16 family = args->family;
    if (FILTER_FAMILY && family != FILTER_FAMILY)
        return 0;
    if (LPORT >= 0 && args->sport != LPORT)
        return 0;
    if (RPORT >= 0 && args->dport != RPORT)
        return 0;
    u32 laddr = 0, raddr = 0;
    if (family == AF_INET) {
        // sockaddr_in: family, port, then the address (a copy: the verifier allows no reads at an offset into the context here)
        bpf_probe_read_kernel(&laddr, sizeof(laddr), args->saddr + 4);
        bpf_probe_read_kernel(&raddr, sizeof(raddr), args->daddr + 4);
    }
    if ((LADDR && laddr != LADDR) || (RADDR && raddr != RADDR))
        return 0;
    u64 rtt = args->srtt / FACTOR;
    u64 section = SECTION == 1 ? laddr : SECTION == 2 ? raddr : 0;
    struct hkey_t key = {.section = section, .slot = bpf_log2l(rtt)};
    hist.increment(key);
    if (EXTENSION) {
        struct ext_t zero = {};
        struct ext_t *e = ext.lookup_or_try_init(&section, &zero);
        if (e) {
            __sync_fetch_and_add(&e->total, rtt);
            __sync_fetch_and_add(&e->count, 1);
        }
    }
    return 0;
}
