// Threads a running JVM starts and stops, from HotSpot's own USDT probes: hotspot:thread__start
// and thread__stop in libjvm.so (arguments: name pointer, name length, Java thread id, native
// thread id). A USDT context for the process enables the probes; the C functions read the
// arguments with bpf_usdt_readarg.
//
//   ./jbcc examples/UsdtJvmThreads.java PID [seconds]
//
// HotSpot's probes need no -XX flag (only method and allocation probes do). bcc counterpart:
// tools/lib/uthreads.py (`uthreads -l java PID`).
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.USDT;
import dev.jbcc.bcc.Value;

static final String PROGRAM = """
        #include <uapi/linux/ptrace.h>

        #define NAME_LEN 64

        struct thread_t {
            u64 java_id;
            u64 native_id;
            char event;             // 'S' started, 'E' ended
            char name[NAME_LEN];
        };

        BPF_PERF_OUTPUT(threads);

        // HotSpot passes the name as pointer + length: it is not NUL-terminated.
        static int submit(struct pt_regs *ctx, struct thread_t *t, u64 name, u64 len) {
            if (len > NAME_LEN - 1)
                len = NAME_LEN - 1;
            bpf_probe_read_user(t->name, len, (void *) name);
            threads.perf_submit(ctx, t, sizeof(*t));
            return 0;
        }

        // bpf_usdt_readarg reads the probe enabled for the function it is written in (as in bcc):
        // each probe's function reads its arguments itself.
        int trace_thread_start(struct pt_regs *ctx) {
            struct thread_t t = { .event = 'S' };
            u64 name = 0, len = 0;
            bpf_usdt_readarg(1, ctx, &name);
            bpf_usdt_readarg(2, ctx, &len);
            bpf_usdt_readarg(3, ctx, &t.java_id);
            bpf_usdt_readarg(4, ctx, &t.native_id);
            return submit(ctx, &t, name, len);
        }

        int trace_thread_stop(struct pt_regs *ctx) {
            struct thread_t t = { .event = 'E' };
            u64 name = 0, len = 0;
            bpf_usdt_readarg(1, ctx, &name);
            bpf_usdt_readarg(2, ctx, &len);
            bpf_usdt_readarg(3, ctx, &t.java_id);
            bpf_usdt_readarg(4, ctx, &t.native_id);
            return submit(ctx, &t, name, len);
        }
        """;

void main(String[] args) {
    if (args.length < 1) {
        System.err.println("usage: UsdtJvmThreads PID [seconds]");
        System.exit(2);
    }
    int pid = Integer.parseInt(args[0]);
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : Long.MAX_VALUE / 1_000_000_000L;
    USDT usdt = USDT.ofPid(pid)   // the probes of the libjvm.so that process runs
            .enableProbe("hotspot:thread__start", "trace_thread_start")
            .enableProbe("hotspot:thread__stop", "trace_thread_stop");
    try (BPF b = BPF.builder().text(PROGRAM).usdtContexts(usdt).build()) {
        PerfEventArray threads = b.get("threads");
        threads.openPerfBuffer((cpu, data, size) -> {
            Value t = threads.event(data);
            System.out.printf("%-7d %-7d %-8d %-7s %s%n", pid, t.getLong("native_id"), t.getLong("java_id"),
                    t.getLong("event") == 'S' ? "start" : "stop", t.getString("name"));
        });
        System.out.println("Tracing thread events of JVM " + pid + "... Hit Ctrl-C to end.");
        System.out.printf("%-7s %-7s %-8s %-7s %s%n", "PID", "TID", "JAVA-ID", "EVENT", "NAME");
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            b.perfBufferPoll(100);
            System.out.flush();
        }
    }
}
