// The seed's hello_fields.py in Java (bcc: examples/tracing/hello_fields.py): a kprobe on the
// clone syscall's kernel function says "Hello, World!" through bpf_trace_printk each time a
// process forks; the trace_pipe lines are printed split into their fields.
//
//   ./jbcc examples/HelloFields.java [seconds] [program.c]
//
// With a C file, that text is loaded instead of the one below (e.g. the seed's hello_fields.c).
// Needs a kernel with kprobes (CONFIG_KPROBES); on one without, jbcc's error says so.
import dev.jbcc.bcc.BPF;

import java.nio.file.Path;
import java.time.Duration;

static final String PROGRAM = """
        int hello(void *ctx) {
            bpf_trace_printk("Hello, World!\\n");
            return 0;
        }
        """;

void main(String[] args) {
    Duration duration = args.length > 0 ? Duration.ofSeconds(Long.parseLong(args[0])) : null;
    try (BPF b = args.length > 1 ? BPF.fromFile(Path.of(args[1])) : BPF.fromText(PROGRAM)) {
        // The clone syscall's kernel function is named differently across kernels (__x64_sys_clone, sys_clone, ...).
        b.attachKprobe(b.getSyscallFnName("clone"), "hello");
        System.out.println("Tracing clone()... Hit Ctrl-C to end.");
        System.out.printf("%-18s %-16s %-6s %s%n", "TIME(s)", "COMM", "PID", "MESSAGE");
        b.tracePrint(e -> String.format("%-18.9f %-16s %-6d %s", e.timestamp(), e.task(), e.pid(), e.message()), duration);
    }
}
