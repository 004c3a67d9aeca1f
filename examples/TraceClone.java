// The seed's trace_clone.py in Java: a tracepoint on the clone syscall prints its parent_tidptr
// argument through bpf_trace_printk; the program attaches itself (TRACEPOINT_PROBE).
//
//   ./jbcc examples/TraceClone.java [seconds] [program.c]
//
// With a C file, that text is loaded instead of the one below (e.g. the seed's trace_clone.c).
import dev.jbcc.bcc.BPF;

import java.nio.file.Path;
import java.time.Duration;

static final String PROGRAM = """
        TRACEPOINT_PROBE(syscalls, sys_enter_clone) {
            bpf_trace_printk("%d", args->parent_tidptr);
            return 0;
        }
        """;

void main(String[] args) {
    Duration duration = args.length > 0 ? Duration.ofSeconds(Long.parseLong(args[0])) : null;
    try (BPF b = args.length > 1 ? BPF.fromFile(Path.of(args[1])) : BPF.fromText(PROGRAM)) {
        System.out.println("Tracing clone()... Hit Ctrl-C to end.");
        b.tracePrint(null, duration);
    }
}
