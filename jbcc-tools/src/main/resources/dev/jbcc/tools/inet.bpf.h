// The network tools' shared C (the kit's; Inet.withSocketC puts it in front of a tool's own):
// the sock behind a file descriptor of the current task, a sock's two ends, and the addresses
// of the sock and tcp tracepoints.

// current task -> files -> fd table -> file -> socket -> sock; NULL where a link is missing
static __always_inline struct sock *sock_of_fd(long fd)
{
    if (fd < 0)
        return NULL;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct files_struct *files = NULL;
    struct fdtable *fdt = NULL;
    struct file **fds = NULL;
    struct file *file = NULL;
    struct socket *socket = NULL;
    struct sock *sk = NULL;
    unsigned int max = 0;
    bpf_probe_read_kernel(&files, sizeof(files), &task->files);
    if (!files)
        return NULL;
    bpf_probe_read_kernel(&fdt, sizeof(fdt), &files->fdt);
    if (!fdt)
        return NULL;
    bpf_probe_read_kernel(&max, sizeof(max), &fdt->max_fds);
    if (fd >= max)
        return NULL;
    bpf_probe_read_kernel(&fds, sizeof(fds), &fdt->fd);
    if (!fds)
        return NULL;
    bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
    if (!file)
        return NULL;
    bpf_probe_read_kernel(&socket, sizeof(socket), &file->private_data);
    if (!socket)
        return NULL;
    bpf_probe_read_kernel(&sk, sizeof(sk), &socket->sk);
    return sk;
}

// the sock behind descriptor fd of the current task if it is a TCP one, else NULL
static __always_inline struct sock *tcp_sock_of_fd(long fd)
{
    struct sock *sk = sock_of_fd(fd);
    if (!sk)
        return NULL;
    u16 protocol = 0;
    bpf_probe_read_kernel(&protocol, sizeof(protocol), &sk->sk_protocol);
    return protocol == IPPROTO_TCP ? sk : NULL;
}

// the family of sk (AF_INET or AF_INET6; 0 for others), its local and remote addresses (4 or 16
// bytes, network order) and ports (host order)
static __always_inline u16 sock_ends(struct sock *sk, u8 *laddr, u8 *raddr, u16 *lport, u16 *rport)
{
    u16 family = 0, dport = 0;
    bpf_probe_read_kernel(&family, sizeof(family), &sk->__sk_common.skc_family);
    if (family == AF_INET) {
        bpf_probe_read_kernel(laddr, 4, &sk->__sk_common.skc_rcv_saddr);
        bpf_probe_read_kernel(raddr, 4, &sk->__sk_common.skc_daddr);
    } else if (family == AF_INET6) {
        bpf_probe_read_kernel(laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
        bpf_probe_read_kernel(raddr, 16, &sk->__sk_common.skc_v6_daddr);
    } else {
        return 0;
    }
    bpf_probe_read_kernel(lport, sizeof(*lport), &sk->__sk_common.skc_num);
    bpf_probe_read_kernel(&dport, sizeof(dport), &sk->__sk_common.skc_dport);
    *rport = bpf_ntohs(dport);
    return family;
}

// the addresses a tracepoint of the sock and tcp families carries (saddr/daddr for IPv4,
// saddr_v6/daddr_v6 for IPv6) into the 16-byte arrays src and dst
#define TP_ADDRESSES(args, family, src, dst)                    \
    do {                                                        \
        if ((family) == AF_INET) {                              \
            __builtin_memcpy(src, (args)->saddr, 4);            \
            __builtin_memcpy(dst, (args)->daddr, 4);            \
        } else {                                                \
            __builtin_memcpy(src, (args)->saddr_v6, 16);        \
            __builtin_memcpy(dst, (args)->daddr_v6, 16);        \
        }                                                       \
    } while (0)
