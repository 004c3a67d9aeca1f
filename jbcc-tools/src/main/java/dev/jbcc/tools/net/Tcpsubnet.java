package dev.jbcc.tools.net;

import dev.jbcc.bcc.ArrayTable;
import dev.jbcc.bcc.BPF;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc tcpsubnet}: TCP bytes sent, per destination subnet, every interval. */
@Command(name = "tcpsubnet", mixinStandardHelpOptions = true,
        description = {"Summarize TCP bytes sent over IPv4, per destination subnet."},
        footer = {"", "examples:",
                "    jbcc tcpsubnet                 # the default subnets: 127.0.0.1/32,10.0.0.0/8,",
                "                                   # 172.16.0.0/12,192.168.0.0/16,0.0.0.0/0",
                "    jbcc tcpsubnet -f K            # in KBytes",
                "    jbcc tcpsubnet 10.80.0.0/24    # 10.80.0.0/24 only",
                "    jbcc tcpsubnet -J              # JSON, one object per interval",
                "", "A send counts for the first subnet that holds its destination."})
public final class Tcpsubnet extends Tool {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("MM/dd/yy HH:mm:ss");

    @Parameters(index = "0", arity = "0..1", paramLabel = "subnets", description = "Comma-separated subnets (a.b.c.d/n).")
    String subnets = "127.0.0.1/32,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,0.0.0.0/0";

    @Option(names = {"-J"}, description = "JSON output (as --json).")
    boolean j;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
            description = "Unit: b, k, m (bits, Kbits, Mbits) or B, K, M (bytes, KBytes, MBytes); default ${DEFAULT-VALUE}.")
    String format = "B";

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", description = "Output interval in seconds (default ${DEFAULT-VALUE}).")
    double interval = 1;

    /** One subnet: its text and, in network byte order as the kernel holds addresses, network and mask. */
    record Subnet(String text, int net, int mask) {
        static Subnet parse(String text) {
            String[] parts = text.trim().split("/", -1);
            if (parts.length != 2 || !parts[1].matches("\\d{1,2}") || Integer.parseInt(parts[1]) > 32) return null;
            String[] octets = parts[0].split("\\.", -1);
            if (octets.length != 4) return null;
            int addr = 0;
            for (String o : octets) {
                if (!o.matches("\\d{1,3}") || Integer.parseInt(o) > 255) return null;
                addr = addr << 8 | Integer.parseInt(o);
            }
            int bits = Integer.parseInt(parts[1]);
            int mask = bits == 0 ? 0 : -1 << (32 - bits);
            return new Subnet(text.trim(), Integer.reverseBytes(addr & mask), Integer.reverseBytes(mask));
        }
    }

    @Override
    protected void run(Session s) {
        if (!(interval > 0)) throw usage("-i must be positive, not " + interval);
        double divisor = switch (format) {
            case "b" -> 1.0 / 8;
            case "k" -> 1024.0 / 8;
            case "m" -> 1024.0 * 1024 / 8;
            case "B" -> 1;
            case "K" -> 1024;
            case "M" -> 1024 * 1024;
            default -> throw usage("-f takes one of b k m B K M, not " + format);
        };
        List<Subnet> list = new ArrayList<>();
        for (String text : subnets.split(",")) {
            Subnet n = Subnet.parse(text);
            if (n == null) throw usage("not a subnet: " + text + " (write a.b.c.d/n)");
            list.add(n);
        }
        if (list.size() > 32) throw usage("at most 32 subnets, not " + list.size());
        Hook hook = s.choose(Hook.kprobe("tcp_sendmsg"), Hook.fentry("tcp_sendmsg"), Hook.tracepoint("sock:sock_send_length"));
        try (BPF b = s.load(Tcpsubnet.class, "tcpsubnet.bpf.c", hook, Map.of("SUBNETS", list.size()))) {
            ArrayTable table = b.get("subnets");
            for (int i = 0; i < list.size(); i++) {
                table.put(table.key(i), table.newLeaf().with("net", list.get(i).net()).with("mask", list.get(i).mask()));
            }
            ArrayTable sent = b.get("sent");
            s.ready();
            s.note("Tracing... Output every " + interval + " secs. Hit Ctrl-C to end");
            s.everyInterval(Duration.ofMillis((long) (interval * 1000)), 0, () -> {
                Map<String, Object> entries = new LinkedHashMap<>();
                for (int i = 0; i < list.size(); i++) {
                    long bytes = sent.get(i).value();
                    if (bytes > 0) entries.put(list.get(i).text(), Math.round(bytes / divisor));
                }
                sent.zero();
                String now = LocalDateTime.now().format(WHEN);
                if (s.json() || j) {
                    s.object(Map.of("time", now, "entries", entries));
                } else {
                    s.out().println("[" + now + "]");
                    entries.forEach((k, v) -> s.out().println(String.format("%-21s %6d", k, (Long) v)));
                }
            });
        }
    }
}
