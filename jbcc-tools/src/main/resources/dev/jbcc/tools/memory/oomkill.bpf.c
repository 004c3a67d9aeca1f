// jbcc oomkill: each OOM kill, with the process that triggered it and its victim. With kprobes,
// oom_kill_process() gives the victim and the pages the OOM was about (oc->totalpages); else the
// oom:mark_victim tracepoint, which fires in the triggering task, gives the victim's PID and, on
// newer kernels (HAVE_VICTIM_DETAILS), its name and total VM. Defines: HOOK_*, HAVE_VICTIM_DETAILS.
struct data_t {
    u32 fpid;
    u32 tpid;
    u64 pages;          // kprobe: oc->totalpages; tracepoint: 0
    u64 total_vm_kb;    // tracepoint with details: the victim's total VM
    u32 has_tcomm;
    char fcomm[TASK_COMM_LEN];
    char tcomm[TASK_COMM_LEN];
};

BPF_PERF_OUTPUT(events);

#ifdef HOOK_KPROBE
int kprobe__oom_kill_process(struct pt_regs *ctx, struct oom_control *oc, const char *message)
{
    struct data_t d = {};
    d.fpid = bpf_get_current_pid_tgid() >> 32;
    d.tpid = oc->chosen->tgid;
    d.pages = oc->totalpages;
    d.has_tcomm = 1;
    bpf_get_current_comm(&d.fcomm, sizeof(d.fcomm));
    bpf_probe_read_kernel(&d.tcomm, sizeof(d.tcomm), oc->chosen->comm);
    events.perf_submit(ctx, &d, sizeof(d));
    return 0;
}
#else
TRACEPOINT_PROBE(oom, mark_victim)
{
    struct data_t d = {};
    d.fpid = bpf_get_current_pid_tgid() >> 32;
    d.tpid = args->pid;
    bpf_get_current_comm(&d.fcomm, sizeof(d.fcomm));
#if HAVE_VICTIM_DETAILS
    d.total_vm_kb = args->total_vm;
    d.has_tcomm = 1;
    TP_DATA_LOC_READ_CONST(d.tcomm, comm, sizeof(d.tcomm) - 1);
#endif
    events.perf_submit(args, &d, sizeof(d));
    return 0;
}
#endif
