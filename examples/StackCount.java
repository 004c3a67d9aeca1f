// Counts the kernel stacks that lead to a tracepoint, per process: BPF_STACK_TRACE and
// get_stackid() in the program, the stacks walked and named with ksym() when it ends.
//
//   ./jbcc examples/StackCount.java [seconds] [category:event]
//
// The tracepoint defaults to sched:sched_process_fork, so the stacks show how each process
// forks (fork, vfork, clone, clone3 all meet in kernel_clone). Stacks print least frequent first,
// innermost frame on top, then the process and the count. bcc counterpart: tools/stackcount.py -P
// (with a tracepoint, e.g. `stackcount -P t:sched:sched_process_fork`).
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.HashTable;
import dev.jbcc.bcc.StackTrace;
import dev.jbcc.bcc.StopSignal;
import dev.jbcc.bcc.Value;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;

static final String PROGRAM = """
        #include <linux/sched.h>

        struct key_t {
            u32 pid;
            int kernel_stack_id;    // negative: the stack could not be taken (-EFAULT, -ENOMEM ...)
            char comm[TASK_COMM_LEN];
        };

        BPF_HASH(counts, struct key_t, u64);
        BPF_STACK_TRACE(stacks, 1024);

        int on_event(void *ctx) {
            struct key_t key = {};
            key.pid = bpf_get_current_pid_tgid() >> 32;
            key.kernel_stack_id = stacks.get_stackid(ctx, 0);
            bpf_get_current_comm(&key.comm, sizeof(key.comm));
            counts.increment(key);
            return 0;
        }
        """;

void main(String[] args) {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : Long.MAX_VALUE;
    String tracepoint = args.length > 1 ? args[1] : "sched:sched_process_fork";
    // Ctrl-C ends the wait below; what was counted is still printed before the JVM exits.
    try (StopSignal stop = StopSignal.trap(); BPF b = BPF.fromText(PROGRAM)) {
        b.attachTracepoint(tracepoint, "on_event");
        System.out.println("Tracing " + tracepoint + "... Hit Ctrl-C to end.");
        if (!stop.sleep(Duration.ofSeconds(seconds))) System.out.println();

        HashTable counts = b.get("counts");
        StackTrace stacks = b.get("stacks");
        for (Map.Entry<Value, Value> e : counts.items().stream()
                .sorted(Comparator.comparingLong(e -> e.getValue().value())).toList()) {
            Value key = e.getKey();
            int stackId = (int) key.getLong("kernel_stack_id");
            if (stackId < 0) System.out.println("  [Missed Kernel Stack]");
            for (String frame : stacks.walk(stackId, BPF::ksym)) System.out.println("  " + frame);
            System.out.printf("    %s [%d]%n    %d%n%n", key.getString("comm"), key.getLong("pid"), e.getValue().value());
        }
    }
}
