// read(2) latency as a log2 histogram, the way bcc's biolatency shows disk I/O latency: the
// syscall's entry and exit tracepoints time each read per thread, the kernel counts the times in
// power-of-two buckets (microseconds), and the histogram is printed when tracing ends.
//
//   ./jbcc examples/ReadLatency.java [-p PID] [seconds]
//
// bcc counterparts: tools/biolatency.py, tools/funclatency.py (print_log2_hist).
import dev.jbcc.bcc.ArrayTable;
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.StopSignal;

import java.time.Duration;


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

void main(String[] args) {
    int argi = 0;
    String filter = "0";
    if (args.length > 1 && args[0].equals("-p")) {
        filter = "(pid_tgid >> 32) != " + Integer.parseInt(args[1]);
        argi = 2;
    }
    long seconds = args.length > argi ? Long.parseLong(args[argi]) : Long.MAX_VALUE;
    // Ctrl-C ends the wait below; the histogram is still printed before the JVM exits.
    try (StopSignal stop = StopSignal.trap(); BPF b = BPF.fromText(PROGRAM.replace("FILTER", filter))) {
        System.out.println("Tracing read() latency... Hit Ctrl-C to end.");
        stop.sleep(Duration.ofSeconds(seconds));
        System.out.println();
        ArrayTable dist = b.get("dist");
        dist.printLog2Hist("usecs");
    }
}
