// The seed's tcp-v4-connect.py in Java (bcc: examples/tracing/tcpv4connect.py): a kprobe on
// tcp_v4_connect keeps the socket pointer per thread, the kretprobe reads the addresses the
// kernel filled in and sends them through a perf buffer; events are decoded as struct data_t.
//
//   ./jbcc examples/TcpV4Connect.java [seconds] [program.c]
//
// With a C file, that text is loaded instead of the one below (e.g. the seed's tcpv4connect.c).
// Needs a kernel with kprobes (CONFIG_KPROBES); on one without, jbcc's error says so.
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;

import java.nio.file.Path;

static final String PROGRAM = """
        #include <uapi/linux/ptrace.h>
        #include <net/sock.h>
        #include <linux/sched.h>

        struct data_t {
            u32 pid;
            char comm[TASK_COMM_LEN];
            u32 saddr;
            u32 daddr;
            u16 dport;
        };

        BPF_HASH(currsock, u32, struct sock *);
        BPF_PERF_OUTPUT(events);

        int tcp_connect(struct pt_regs *ctx, struct sock *sk) {
            u32 tid = bpf_get_current_pid_tgid();
            currsock.update(&tid, &sk);
            return 0;
        }

        int tcp_connect_ret(struct pt_regs *ctx) {
            u32 tid = bpf_get_current_pid_tgid();
            struct sock **skpp = currsock.lookup(&tid);
            if (skpp == 0)
                return 0;
            struct sock *skp = *skpp;
            struct data_t data = {};
            data.pid = tid;
            bpf_get_current_comm(&data.comm, sizeof(data.comm));
            // Reads through a kernel pointer that came out of a map: the front-end makes them safe reads.
            data.saddr = skp->__sk_common.skc_rcv_saddr;
            data.daddr = skp->__sk_common.skc_daddr;
            u16 dport = skp->__sk_common.skc_dport;
            data.dport = ntohs(dport);
            events.perf_submit(ctx, &data, sizeof(data));
            currsock.delete(&tid);
            return 0;
        }
        """;

/** An IPv4 address as the kernel stores it (network order, read on a little-endian CPU) in dotted quad. */
static String ntoa(long addr) {
    return (addr & 0xff) + "." + (addr >> 8 & 0xff) + "." + (addr >> 16 & 0xff) + "." + (addr >> 24 & 0xff);
}

void main(String[] args) {
    long deadline = args.length > 0 ? System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L : Long.MAX_VALUE;
    try (BPF b = args.length > 1 ? BPF.fromFile(Path.of(args[1])) : BPF.fromText(PROGRAM)) {
        b.attachKprobe("tcp_v4_connect", "tcp_connect");
        b.attachKretprobe("tcp_v4_connect", "tcp_connect_ret");
        PerfEventArray events = b.get("events");
        events.openPerfBuffer((cpu, data, size) -> {
            Value event = events.event(data);
            System.out.printf("%-6d %-16s %-16s %-16s %-6d%n", event.getLong("pid"), event.getString("comm"),
                    ntoa(event.getLong("saddr")), ntoa(event.getLong("daddr")), event.getLong("dport"));
        });
        System.out.println("Tracing IPv4 connect()... Hit Ctrl-C to end.");
        System.out.printf("%-6s %-16s %-16s %-16s %-6s%n", "PID", "COMM", "SADDR", "DADDR", "DPORT");
        while (System.nanoTime() < deadline) {
            b.perfBufferPoll(200);
            System.out.flush();
        }
    }
}
