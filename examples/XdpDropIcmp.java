// The seed's xdp.py in Java (bcc: examples/networking/xdp/xdp_drop_count.py): an XDP program on
// a network device drops every incoming ICMP packet and counts the drops by IP protocol in a
// hash; once a second the counts are printed. Exiting removes the program: ping works again.
//
//   ./jbcc examples/XdpDropIcmp.java DEVICE [seconds] [program.c]
//
// With a C file, that text is loaded instead of the one below (e.g. the seed's xdp_drop_icmp.c).
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.HashTable;
import dev.jbcc.bcc.StopSignal;
import dev.jbcc.bcc.Value;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

static final String PROGRAM = """
        #include <uapi/linux/bpf.h>
        #include <linux/if_ether.h>
        #include <linux/ip.h>

        BPF_HASH(dropcnt, u32, u32);

        int xdp_drop_icmp(struct xdp_md *ctx) {
            void *data = (void *)(long)ctx->data;
            void *data_end = (void *)(long)ctx->data_end;
            struct ethhdr *eth = data;
            // The verifier insists on a bounds check before each header is read.
            if ((void *)(eth + 1) > data_end || eth->h_proto != htons(ETH_P_IP))
                return XDP_PASS;
            struct iphdr *iph = (void *)(eth + 1);
            if ((void *)(iph + 1) > data_end)
                return XDP_PASS;
            u32 protocol = iph->protocol;
            if (protocol != IPPROTO_ICMP)
                return XDP_PASS;
            u32 zero = 0, *count = dropcnt.lookup_or_init(&protocol, &zero);
            *count += 1;
            return XDP_DROP;
        }
        """;

static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss");

void main(String[] args) {
    if (args.length < 1) {
        System.err.println("usage: ./jbcc examples/XdpDropIcmp.java DEVICE [seconds] [program.c]");
        System.exit(2);
    }
    String device = args[0];
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : Long.MAX_VALUE;
    // Ctrl-C ends the loop, and the JVM waits until the program is off the device (an XDP program
    // attached through netlink outlives the process).
    try (StopSignal stop = StopSignal.trap();
         BPF b = args.length > 2 ? BPF.fromFile(Path.of(args[2])) : BPF.fromText(PROGRAM)) {
        b.attachXdp(device, b.loadFunc("xdp_drop_icmp", BPF.XDP));
        System.out.println("Dropping ICMP on " + device + ", printing drops per second... Hit Ctrl-C to end.");
        HashTable dropcnt = b.get("dropcnt");
        Map<Long, Long> previous = new HashMap<>();
        for (long s = 0; s < seconds && stop.sleep(Duration.ofSeconds(1)); s++) {
            String now = LocalTime.now().format(HH_MM_SS);
            for (Map.Entry<Value, Value> e : dropcnt.items()) {
                long protocol = e.getKey().value(), total = e.getValue().value();
                long perSecond = total - previous.getOrDefault(protocol, 0L);
                previous.put(protocol, total);
                if (perSecond > 0) System.out.printf("%s %d: %d pkt/s, %d in all%n", now, protocol, perSecond, total);
            }
        }
        b.removeXdp(device);
    }
}
