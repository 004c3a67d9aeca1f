// jbcc sofdsnoop: file descriptors passed over sockets (SCM_RIGHTS). sendmsg(2) and recvmsg(2)
// keep their socket and message per thread at entry; when the call succeeds, the first control
// message in the caller's memory is read: on send the descriptors passed, on receive the new
// descriptors the receiver got (the kernel has written them and the control length by then).
// Defines: FILTER_PID, FILTER_TID (-1: any).
#define MAX_FD 10
#define SOL_SOCKET 1
#define SCM_RIGHTS 1

struct call_t {
    int sock_fd;
    int action;         // 0 send, 1 receive
    u64 msg;
};

struct pass_t {
    u64 ts;
    u32 pid;
    u32 tid;
    int action;
    int sock_fd;
    int fd_cnt;
    int fd[MAX_FD];
    char comm[TASK_COMM_LEN];
};

BPF_HASH(calls, u32, struct call_t, 4096);
BPF_PERF_OUTPUT(events);

static __always_inline int enter(int sock_fd, void *msg, int action)
{
    u64 id = bpf_get_current_pid_tgid();
    if ((FILTER_PID >= 0 && (id >> 32) != FILTER_PID) || (FILTER_TID >= 0 && (u32)id != FILTER_TID))
        return 0;
    u32 tid = (u32)id;
    struct call_t c = {.sock_fd = sock_fd, .action = action, .msg = (u64)msg};
    calls.update(&tid, &c);
    return 0;
}

static __always_inline int leave(void *ctx, long ret)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tid = (u32)id;
    struct call_t *c = calls.lookup(&tid);
    if (!c)
        return 0;
    struct call_t call = *c;
    calls.delete(&tid);
    if (ret < 0)
        return 0;
    struct user_msghdr msg = {};
    if (bpf_probe_read_user(&msg, sizeof(msg), (void *)call.msg) || !msg.msg_control
        || msg.msg_controllen < sizeof(struct cmsghdr))
        return 0;
    struct cmsghdr cmsg = {};
    if (bpf_probe_read_user(&cmsg, sizeof(cmsg), msg.msg_control))
        return 0;
    if (cmsg.cmsg_level != SOL_SOCKET || cmsg.cmsg_type != SCM_RIGHTS || cmsg.cmsg_len <= sizeof(cmsg))
        return 0;
    struct pass_t p = {};
    p.fd_cnt = (cmsg.cmsg_len - sizeof(cmsg)) / sizeof(int);
    if (p.fd_cnt > MAX_FD)
        p.fd_cnt = MAX_FD;
    bpf_probe_read_user(p.fd, sizeof(p.fd), msg.msg_control + sizeof(cmsg));
    p.ts = bpf_ktime_get_ns();
    p.pid = id >> 32;
    p.tid = tid;
    p.action = call.action;
    p.sock_fd = call.sock_fd;
    bpf_get_current_comm(&p.comm, sizeof(p.comm));
    events.perf_submit(ctx, &p, sizeof(p));
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_enter_sendmsg)
{
    return enter(args->fd, args->msg, 0);
}

TRACEPOINT_PROBE(syscalls, sys_exit_sendmsg)
{
    return leave(args, args->ret);
}

TRACEPOINT_PROBE(syscalls, sys_enter_recvmsg)
{
    return enter(args->fd, args->msg, 1);
}

TRACEPOINT_PROBE(syscalls, sys_exit_recvmsg)
{
    return leave(args, args->ret);
}
