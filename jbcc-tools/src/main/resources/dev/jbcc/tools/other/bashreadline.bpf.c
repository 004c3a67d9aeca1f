// jbcc bashreadline: the line each interactive bash read, taken from readline()'s return value
// (a uretprobe). When readline comes from a shared libreadline, other programs call it too: only
// processes named "bash" count.
#define LINE_MAX 80

struct line_t {
    u32 pid;
    char line[LINE_MAX];
};

BPF_PERF_OUTPUT(events);

int on_readline_return(struct pt_regs *ctx)
{
    const char *line = (const char *)PT_REGS_RC(ctx);
    if (!line)
        return 0;
    char comm[TASK_COMM_LEN] = {};
    bpf_get_current_comm(comm, sizeof(comm));
    if (comm[0] != 'b' || comm[1] != 'a' || comm[2] != 's' || comm[3] != 'h' || comm[4] != 0)
        return 0;
    struct line_t e = {};
    e.pid = bpf_get_current_pid_tgid() >> 32;
    bpf_probe_read_user_str(e.line, sizeof(e.line), line);
    events.perf_submit(ctx, &e, sizeof(e));
    return 0;
}
