// The seed's tc.py in Java (bcc: examples/networking/simple_tc.py): a clsact qdisc on a network device
// with a direct-action bpf filter on its ingress that drops every incoming ICMP packet and counts
// the drops by IP protocol; once a second the counts are printed. Exiting deletes the qdisc, which
// leaves the device as it was: ping works again.
//
//   ./jbcc examples/TcDropIcmp.java DEVICE [seconds] [program.c]
//
// With a C file, that text is loaded instead of the one below (e.g. the seed's tc_drop_icmp.c).
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.BpfFunction;
import dev.jbcc.bcc.HashTable;
import dev.jbcc.bcc.IpRoute;
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
        #include <linux/pkt_cls.h>
        #include <linux/if_ether.h>
        #include <linux/ip.h>

        BPF_HASH(dropcnt, u32, u32);

        int tc_drop_icmp(struct __sk_buff *skb) {
            void *data = (void *)(long)skb->data;
            void *data_end = (void *)(long)skb->data_end;
            struct ethhdr *eth = data;
            // The verifier insists on a bounds check before each header is read.
            if ((void *)(eth + 1) > data_end || eth->h_proto != htons(ETH_P_IP))
                return TC_ACT_OK;
            struct iphdr *iph = (void *)(eth + 1);
            if ((void *)(iph + 1) > data_end)
                return TC_ACT_OK;
            u32 protocol = iph->protocol;
            if (protocol != IPPROTO_ICMP)
                return TC_ACT_OK;
            u32 zero = 0, *count = dropcnt.lookup_or_init(&protocol, &zero);
            *count += 1;
            return TC_ACT_SHOT;
        }
        """;

static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss");

void main(String[] args) {
    if (args.length < 1) {
        System.err.println("usage: ./jbcc examples/TcDropIcmp.java DEVICE [seconds] [program.c]");
        System.exit(2);
    }
    String device = args[0];
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : Long.MAX_VALUE;
    // Ctrl-C ends the loop, and the JVM waits until the qdisc is deleted (a qdisc outlives the process).
    try (StopSignal stop = StopSignal.trap();
         BPF b = args.length > 2 ? BPF.fromFile(Path.of(args[2])) : BPF.fromText(PROGRAM);
         IpRoute ipr = IpRoute.open()) {
        BpfFunction fn = b.loadFunc("tc_drop_icmp", BPF.SCHED_CLS);
        int idx = ipr.linkLookup(device);
        ipr.tc("add", "clsact", idx);
        try {
            ipr.tc("add-filter", "bpf", idx, ":1", IpRoute.filter().fd(fn.fd()).name(fn.name())
                    .parent(IpRoute.INGRESS).classid(1).directAction(true));
            System.out.println("Dropping ICMP on " + device + " ingress, printing drops per second... Hit Ctrl-C to end.");
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
        } finally {
            // Deleting the qdisc deletes its filters too.
            ipr.tc("del", "clsact", idx);
        }
    }
}
