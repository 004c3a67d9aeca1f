// Files unlinked, with the result and the time taken: fentry and fexit programs on the kernel's
// do_unlinkat() (KFUNC_PROBE / KRETFUNC_PROBE). Their arguments are typed from the kernel's BTF,
// so `name->name` is read directly; the fexit program also sees the return value.
//
//   ./jbcc examples/KfuncUnlink.java [seconds]
//
// Needs fentry/fexit support (BPF trampolines: Linux 5.5 on x86-64, and a kernel that lets
// them load). bcc counterpart: the KFUNC_PROBE examples of docs/reference_guide.md, e.g.
// libbpf-tools/filelife's unlink side.
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;

static final String PROGRAM = """
        #include <linux/fs.h>
        #include <linux/sched.h>

        struct data_t {
            u32 pid;
            int ret;
            u64 delta_ns;
            char comm[TASK_COMM_LEN];
            char name[256];
        };

        BPF_HASH(start, u32, u64);      // thread -> entry time
        BPF_PERF_OUTPUT(events);

        KFUNC_PROBE(do_unlinkat, int dfd, struct filename *name) {
            u32 tid = bpf_get_current_pid_tgid();
            u64 ts = bpf_ktime_get_ns();
            start.update(&tid, &ts);
            return 0;
        }

        KRETFUNC_PROBE(do_unlinkat, int dfd, struct filename *name, int ret) {
            u64 id = bpf_get_current_pid_tgid();
            u32 tid = id;
            u64 *ts = start.lookup(&tid);
            if (ts == 0)
                return 0;   // entered before we attached
            struct data_t data = {};
            data.pid = id >> 32;
            data.ret = ret;
            data.delta_ns = bpf_ktime_get_ns() - *ts;
            bpf_get_current_comm(&data.comm, sizeof(data.comm));
            bpf_probe_read_kernel_str(&data.name, sizeof(data.name), name->name);
            events.perf_submit(ctx, &data, sizeof(data));
            start.delete(&tid);
            return 0;
        }
        """;

void main(String[] args) {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : Long.MAX_VALUE / 1_000_000_000L;
    try (BPF b = BPF.fromText(PROGRAM)) {   // KFUNC_PROBE / KRETFUNC_PROBE attach themselves
        PerfEventArray events = b.get("events");
        events.openPerfBuffer((cpu, data, size) -> {
            Value e = events.event(data);
            System.out.printf("%-7d %-16s %4d %10.3f %s%n", e.getLong("pid"), e.getString("comm"), e.getLong("ret"),
                    e.getLong("delta_ns") / 1e6, e.getString("name"));
        });
        System.out.println("Tracing do_unlinkat()... Hit Ctrl-C to end.");
        System.out.printf("%-7s %-16s %4s %10s %s%n", "PID", "COMM", "RET", "LATms", "NAME");
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            b.perfBufferPoll(100);
            System.out.flush();
        }
    }
}
