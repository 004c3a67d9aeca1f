// TCP state changes with the time spent in the old state: the sock:inet_sock_set_state
// tracepoint (TRACEPOINT_PROBE), IPv4 and IPv6, events through BPF_PERF_OUTPUT. (Java's sockets
// are IPv6 sockets by default: their IPv4 peers show as IPv4-mapped addresses, printed as IPv4.)
//
//   ./jbcc examples/TcpStates.java [seconds]
//
// C-PID/C-COMM are the task on the CPU at the change: the process for connect() and close(), but
// whatever ran when a change happens in softirq (a SYN-ACK arriving). bcc counterpart:
// tools/tcpstates.py.
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

static final String PROGRAM = """
        #include <linux/sched.h>

        struct data_t {
            u64 skaddr;
            u64 delta_us;       // time in oldstate; 0 when first seen
            u32 pid;
            int oldstate;
            int newstate;
            u16 sport;
            u16 dport;
            u16 family;
            u8 saddr[16];       // IPv4: the first 4 bytes
            u8 daddr[16];
            char comm[TASK_COMM_LEN];
        };

        BPF_HASH(last, u64, u64);    // socket address -> time of its last change
        BPF_PERF_OUTPUT(events);

        TRACEPOINT_PROBE(sock, inet_sock_set_state) {
            if (args->protocol != IPPROTO_TCP)
                return 0;
            u64 sk = (u64) args->skaddr;
            u64 now = bpf_ktime_get_ns();
            struct data_t data = {};
            u64 *then = last.lookup(&sk);
            if (then != 0)
                data.delta_us = (now - *then) / 1000;
            data.skaddr = sk;
            data.pid = bpf_get_current_pid_tgid() >> 32;
            data.oldstate = args->oldstate;
            data.newstate = args->newstate;
            data.sport = args->sport;
            data.dport = args->dport;
            data.family = args->family;
            if (args->family == AF_INET) {
                __builtin_memcpy(data.saddr, args->saddr, 4);
                __builtin_memcpy(data.daddr, args->daddr, 4);
            } else {
                __builtin_memcpy(data.saddr, args->saddr_v6, 16);
                __builtin_memcpy(data.daddr, args->daddr_v6, 16);
            }
            bpf_get_current_comm(&data.comm, sizeof(data.comm));
            events.perf_submit(args, &data, sizeof(data));
            if (args->newstate == TCP_CLOSE)
                last.delete(&sk);
            else
                last.update(&sk, &now);
            return 0;
        }
        """;

/** The kernel's TCP states (include/net/tcp_states.h), by number. */
static final String[] STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
        "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

static String state(long s) {
    return s > 0 && s < STATES.length ? STATES[(int) s] : Long.toString(s);
}

/** An address of {@code family}; InetAddress turns IPv4-mapped IPv6 addresses into IPv4 ones. */
static String address(long family, Value bytes) {
    byte[] raw = bytes.toByteArray();
    try {
        return InetAddress.getByAddress(family == 2 /* AF_INET */ ? Arrays.copyOf(raw, 4) : raw).getHostAddress();
    } catch (UnknownHostException e) {
        throw new IllegalArgumentException(e); // only for a length other than 4 or 16
    }
}

void main(String[] args) {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : Long.MAX_VALUE / 1_000_000_000L;
    try (BPF b = BPF.fromText(PROGRAM)) {
        PerfEventArray events = b.get("events");
        events.openPerfBuffer((cpu, data, size) -> {
            Value e = events.event(data);
            System.out.printf("%-16x %-7d %-16s %-15s %-5d %-15s %-5d %s -> %s %.3f%n", e.getLong("skaddr"),
                    e.getLong("pid"), e.getString("comm"), address(e.getLong("family"), e.field("saddr")), e.getLong("sport"),
                    address(e.getLong("family"), e.field("daddr")), e.getLong("dport"), state(e.getLong("oldstate")),
                    state(e.getLong("newstate")), e.getLong("delta_us") / 1000.0);
        });
        System.out.println("Tracing TCP state changes... Hit Ctrl-C to end.");
        System.out.printf("%-16s %-7s %-16s %-15s %-5s %-15s %-5s %s -> %s %s%n", "SKADDR", "C-PID", "C-COMM",
                "LADDR", "LPORT", "RADDR", "RPORT", "OLDSTATE", "NEWSTATE", "MS");
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            b.perfBufferPoll(100);
            System.out.flush();
        }
    }
}
