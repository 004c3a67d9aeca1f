#include <uapi/linux/ptrace.h>
BPF_PERF_OUTPUT(events);
BPF_RINGBUF_OUTPUT(ring, 8);
BPF_HASH(start, u32, u64, 1024);
TRACEPOINT_PROBE(sched, sched_switch) {
    u64 ts = bpf_ktime_get_ns();
    start.update(&args->common_pid, &ts);
    bpf_trace_printk("%s %d\n", args->comm, args->common_pid);
    events.perf_submit(args, &ts, sizeof(ts));
    return 0;
}
int probe(struct pt_regs *ctx) {
    long v = 0;
    bpf_usdt_readarg(2, ctx, &v);
    ring.ringbuf_output(&v, sizeof(v), 0);
    return 0;
}
