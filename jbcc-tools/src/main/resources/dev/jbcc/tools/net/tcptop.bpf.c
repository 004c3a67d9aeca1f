// jbcc tcptop: TCP bytes sent and received per process and connection. HOOK_KPROBE: tcp_sendmsg
// (the size asked) and tcp_cleanup_rbuf (what recvmsg copied), as bcc; HOOK_TRACEPOINT (6.3 on):
// sock:sock_send_length and sock:sock_recv_length, the lengths sendmsg/recvmsg returned. The
// connection's ends come from its sock (sock_ends).
// container_filtered(): the kit's --cgroupmap/--mntnsmap test (Containers).
// Defines: FILTER_PID (-1: any), FILTER_FAMILY (0: any).
#define MSG_PEEK 2

struct key_t {
    u32 pid;
    u16 family;
    u16 lport;
    u16 dport;
    u16 pad;
    u8 laddr[16];
    u8 daddr[16];
    char comm[TASK_COMM_LEN];
};

BPF_HASH(sent, struct key_t, u64, 10240);
BPF_HASH(received, struct key_t, u64, 10240);

static __always_inline void count(struct sock *sk, long bytes, int receiving)
{
    if (bytes <= 0)
        return;
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    if ((FILTER_PID >= 0 && pid != FILTER_PID) || container_filtered())
        return;
    struct key_t key = {};
    key.family = sock_ends(sk, key.laddr, key.daddr, &key.lport, &key.dport);
    if (!key.family || (FILTER_FAMILY && key.family != FILTER_FAMILY))
        return;
    key.pid = pid;
    bpf_get_current_comm(&key.comm, sizeof(key.comm));
    u64 zero = 0;
    u64 *total = receiving ? received.lookup_or_try_init(&key, &zero) : sent.lookup_or_try_init(&key, &zero);
    if (total)
        __sync_fetch_and_add(total, bytes);
}

#ifdef HOOK_KPROBE
int kprobe__tcp_sendmsg(struct pt_regs *ctx, struct sock *sk, struct msghdr *msg, size_t size)
{
    count(sk, size, 0);
    return 0;
}

int kprobe__tcp_cleanup_rbuf(struct pt_regs *ctx, struct sock *sk, int copied)
{
    count(sk, copied, 1);
    return 0;
}
#else
TRACEPOINT_PROBE(sock, sock_send_length)
{
    if (args->protocol == IPPROTO_TCP)
        count((struct sock *)args->sk, args->ret, 0);
    return 0;
}

TRACEPOINT_PROBE(sock, sock_recv_length)
{
    if (args->protocol == IPPROTO_TCP && !(args->flags & MSG_PEEK))
        count((struct sock *)args->sk, args->ret, 1);
    return 0;
}
#endif
