// Host name lookups and how long they took: a uprobe on libc's getaddrinfo() notes the name and
// the time, a uretprobe on the same function sends name and latency to user space.
//
//   ./jbcc examples/GetHostLatency.java [seconds] [pid]
//
// With a pid, only that process is traced (the probes are attached with pid=). Try
// `getent ahosts localhost` in another terminal. bcc counterpart: tools/gethostlatency.py.
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

static final String PROGRAM = """
        #include <uapi/linux/ptrace.h>
        #include <linux/sched.h>

        struct start_t {
            u64 ts;
            char host[80];
        };

        struct data_t {
            u32 pid;
            u64 delta_ns;
            char comm[TASK_COMM_LEN];
            char host[80];
        };

        BPF_HASH(start, u32, struct start_t);   // by thread: lookups may overlap across threads
        BPF_PERF_OUTPUT(events);

        int lookup_entry(struct pt_regs *ctx) {
            const char *node = (const char *) PT_REGS_PARM1(ctx);
            if (node == 0)
                return 0;
            u32 tid = bpf_get_current_pid_tgid();
            struct start_t s = {};
            bpf_probe_read_user_str(&s.host, sizeof(s.host), node);
            s.ts = bpf_ktime_get_ns();
            start.update(&tid, &s);
            return 0;
        }

        int lookup_return(struct pt_regs *ctx) {
            u64 id = bpf_get_current_pid_tgid();
            u32 tid = id;
            struct start_t *s = start.lookup(&tid);
            if (s == 0)
                return 0;   // entered before we attached
            struct data_t data = {};
            data.pid = id >> 32;
            data.delta_ns = bpf_ktime_get_ns() - s->ts;
            bpf_get_current_comm(&data.comm, sizeof(data.comm));
            __builtin_memcpy(&data.host, s->host, sizeof(data.host));
            events.perf_submit(ctx, &data, sizeof(data));
            start.delete(&tid);
            return 0;
        }
        """;

void main(String[] args) {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : Long.MAX_VALUE / 1_000_000_000L;
    int pid = args.length > 1 ? Integer.parseInt(args[1]) : -1;
    try (BPF b = BPF.fromText(PROGRAM)) {
        // "c" is libc, found as bcc finds it (in the process's maps when a pid is given).
        b.attachUprobe("c", "getaddrinfo", "lookup_entry", pid);
        b.attachUretprobe("c", "getaddrinfo", "lookup_return", pid);
        PerfEventArray events = b.get("events");
        DateTimeFormatter time = DateTimeFormatter.ofPattern("HH:mm:ss");
        events.openPerfBuffer((cpu, data, size) -> {
            Value e = events.event(data);
            System.out.printf("%-9s %-7d %-16s %10.2f %s%n", LocalTime.now().format(time), e.getLong("pid"),
                    e.getString("comm"), e.getLong("delta_ns") / 1e6, e.getString("host"));
        });
        System.out.println("Tracing getaddrinfo()... Hit Ctrl-C to end.");
        System.out.printf("%-9s %-7s %-16s %10s %s%n", "TIME", "PID", "COMM", "LATms", "HOST");
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            b.perfBufferPoll(100);
            System.out.flush();
        }
    }
}
