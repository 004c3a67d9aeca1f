// Syscalls counted per CPU in a BPF_PERCPU_ARRAY: each CPU increments its own copy of the
// counter, so the hot path needs no atomic operation; user space reads one value per CPU and
// sums them. Printed when tracing ends.
//
//   ./jbcc examples/SyscallCountPerCpu.java [-p PID] [seconds]
//
// bcc counterparts: tools/syscount.py (syscall counts), examples/networking/xdp/xdp_drop_count.py
// (a per-CPU array read with sum()).
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerCpuArray;
import dev.jbcc.bcc.StopSignal;
import dev.jbcc.bcc.Value;

import java.time.Duration;
import java.util.List;

static final String PROGRAM = """
        BPF_PERCPU_ARRAY(counts, u64, 1);

        TRACEPOINT_PROBE(raw_syscalls, sys_enter) {
            if (FILTER)
                return 0;
            int zero = 0;
            u64 *count = counts.lookup(&zero);
            if (count)
                (*count)++; // this CPU's own slot: nothing else writes it meanwhile
            return 0;
        }
        """;

void main(String[] args) {
    int argi = 0;
    String filter = "0";
    if (args.length > 1 && args[0].equals("-p")) {
        filter = "(bpf_get_current_pid_tgid() >> 32) != " + Integer.parseInt(args[1]);
        argi = 2;
    }
    long seconds = args.length > argi ? Long.parseLong(args[argi]) : Long.MAX_VALUE;
    // Ctrl-C ends the wait below; the counts are still printed before the JVM exits.
    try (StopSignal stop = StopSignal.trap(); BPF b = BPF.fromText(PROGRAM.replace("FILTER", filter))) {
        System.out.println("Counting syscalls per CPU... Hit Ctrl-C to end.");
        stop.sleep(Duration.ofSeconds(seconds));
        b.detachTracepoint("raw_syscalls:sys_enter"); // stop counting: the values below then add up
        PerCpuArray counts = b.get("counts");
        List<Value> perCpu = counts.get(0); // one value per possible CPU
        System.out.printf("%n%-5s %12s%n", "CPU", "SYSCALLS");
        for (int cpu = 0; cpu < perCpu.size(); cpu++) System.out.printf("%-5d %12d%n", cpu, perCpu.get(cpu).value());
        System.out.printf("%-5s %12d%n", "all", counts.sum(0));
    }
}
