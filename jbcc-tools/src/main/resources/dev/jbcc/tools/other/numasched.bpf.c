// jbcc numasched: a thread that runs on a NUMA node other than the one it last ran on. sched_switch
// fires as a thread leaves its CPU, in its own context: the node it ran on is this CPU's, compared
// with the node it was last seen on. Defines: FILTER_PID, FILTER_TID (-1: any; the idle threads,
// 0, are always left out).
struct data_t {
    u32 pid;
    u32 tid;
    u32 old_nid;
    u32 new_nid;
    char comm[TASK_COMM_LEN];
};

BPF_HASH(last_node, u32, u32, 65536);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(sched, sched_switch)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 pid = id >> 32, tid = (u32)id;
    if (tid == 0)
        return 0;
    if (FILTER_PID >= 0 && pid != FILTER_PID)
        return 0;
    if (FILTER_TID >= 0 && tid != FILTER_TID)
        return 0;
    u32 nid = bpf_get_numa_node_id();
    u32 *last = last_node.lookup(&tid);
    if (last && *last != nid) {
        struct data_t data = {.pid = pid, .tid = tid, .old_nid = *last, .new_nid = nid};
        bpf_get_current_comm(&data.comm, sizeof(data.comm));
        events.perf_submit(args, &data, sizeof(data));
    }
    last_node.update(&tid, &nid);
    return 0;
}
