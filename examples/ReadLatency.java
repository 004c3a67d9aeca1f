// read(2) latency as a log2 histogram, the way bcc's biolatency shows disk I/O latency: the
// syscall's entry and exit tracepoints time each read per thread, the kernel counts the times in
// power-of-two buckets (microseconds), and the histogram is printed when tracing ends.
//
//   ./jbcc examples/ReadLatency.java [-p PID] [seconds]
//
// bcc counterparts: tools/biolatency.py, tools/funclatency.py (print_log2_hist).
import dev.jbcc.bcc.ArrayTable;
import dev.jbcc.bcc.BPF;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

static final String PROGRAM = """
        BPF_HASH(start, u32, u64);
        BPF_HISTOGRAM(dist);

        TRACEPOINT_PROBE(syscalls, sys_enter_read) {
            u64 pid_tgid = bpf_get_current_pid_tgid();
            if (FILTER)
                return 0;
            u32 tid = pid_tgid;
            u64 ts = bpf_ktime_get_ns();
            start.update(&tid, &ts);
            return 0;
        }

        TRACEPOINT_PROBE(syscalls, sys_exit_read) {
            u32 tid = bpf_get_current_pid_tgid();
            u64 *tsp = start.lookup(&tid);
            if (tsp == 0)
                return 0; // the read began before tracing did, or another process did it
            u64 usecs = (bpf_ktime_get_ns() - *tsp) / 1000;
            start.delete(&tid);
            dist.increment(bpf_log2l(usecs)); // slot i holds 2^(i-1) .. 2^i - 1, 0 in slot 1
            return 0;
        }
        """;

volatile boolean stopping;

void main(String[] args) throws InterruptedException {
    int argi = 0;
    String filter = "0";
    if (args.length > 1 && args[0].equals("-p")) {
        filter = "(pid_tgid >> 32) != " + Integer.parseInt(args[1]);
        argi = 2;
    }
    long seconds = args.length > argi ? Long.parseLong(args[argi]) : Long.MAX_VALUE;
    // Ctrl-C runs shutdown hooks, not the rest of main: the hook ends the wait below and lets
    // main print the histogram before the JVM exits.
    CompletableFuture<Void> printed = new CompletableFuture<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        stopping = true;
        printed.completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
    }));
    try (BPF b = BPF.fromText(PROGRAM.replace("FILTER", filter))) {
        System.out.println("Tracing read() latency... Hit Ctrl-C to end.");
        for (long tenths = 0; tenths < seconds * 10 && !stopping; tenths++) Thread.sleep(100);
        System.out.println();
        ArrayTable dist = b.get("dist");
        dist.printLog2Hist("usecs");
    } finally {
        printed.complete(null);
    }
}
