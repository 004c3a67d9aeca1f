// Files opened, system-wide: the openat() syscall's entry and exit tracepoints paired through a
// hash keyed by thread, each finished call sent to user space with BPF_PERF_OUTPUT and decoded
// with event(data) as the struct the C code submitted.
//
//   ./jbcc examples/OpenSnoop.java [seconds]
//
// bcc counterpart: tools/opensnoop.py (its tracepoint flavour, without the filters).
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;

static final String PROGRAM = """
        #include <linux/sched.h>

        #define PATH_LEN 256

        struct call_t {
            const char *filename;   // a user-space pointer, read once the call returned
        };

        struct data_t {
            u32 pid;
            u32 tid;
            int ret;                 // the fd, or -errno
            char comm[TASK_COMM_LEN];
            char path[PATH_LEN];
        };

        BPF_HASH(calls, u64, struct call_t);
        BPF_PERF_OUTPUT(events);

        TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
            u64 id = bpf_get_current_pid_tgid();
            struct call_t call = {};
            call.filename = args->filename;
            calls.update(&id, &call);
            return 0;
        }

        TRACEPOINT_PROBE(syscalls, sys_exit_openat) {
            u64 id = bpf_get_current_pid_tgid();
            struct call_t *call = calls.lookup(&id);
            if (call == 0)
                return 0;   // entered before we attached
            struct data_t data = {};
            data.pid = id >> 32;
            data.tid = (u32) id;
            data.ret = args->ret;
            bpf_get_current_comm(&data.comm, sizeof(data.comm));
            // At entry the path may not have been paged in yet; after the call the kernel read it.
            bpf_probe_read_user_str(&data.path, sizeof(data.path), call->filename);
            events.perf_submit(args, &data, sizeof(data));
            calls.delete(&id);
            return 0;
        }
        """;

void main(String[] args) {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : Long.MAX_VALUE / 1_000_000_000L;
    try (BPF b = BPF.fromText(PROGRAM)) {
        PerfEventArray events = b.get("events");
        events.openPerfBuffer((cpu, data, size) -> {
            Value e = events.event(data);
            int ret = (int) e.getLong("ret");
            int fd = ret >= 0 ? ret : -1;
            int err = ret >= 0 ? 0 : -ret;
            System.out.printf("%-7d %-16s %4d %3d %s%n", e.getLong("pid"), e.getString("comm"), fd, err, e.getString("path"));
        }, 64, lost -> System.err.println("Possibly lost " + lost + " samples"));
        System.out.println("Tracing openat()... Hit Ctrl-C to end.");
        System.out.printf("%-7s %-16s %4s %3s %s%n", "PID", "COMM", "FD", "ERR", "PATH");
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            b.perfBufferPoll(100);
            System.out.flush();
        }
    }
}
