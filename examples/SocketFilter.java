// A socket filter on a raw socket bound to a network device: the BPF program counts the IPv4
// packets of each protocol in a hash and keeps only ICMP ones for the socket, which user space
// reads and prints like tcpdump; the counts are printed when capture ends.
//
//   ./jbcc examples/SocketFilter.java DEVICE [seconds]
//
// bcc counterparts: examples/networking/http_filter/http-parse-simple.py (attach_raw_socket),
// examples/networking/simple_tc.py for the other hook.
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.HashTable;
import dev.jbcc.bcc.StopSignal;
import dev.jbcc.bcc.Value;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Map;

static final String PROGRAM = """
        #include <uapi/linux/bpf.h>
        #include <linux/if_ether.h>
        #include <linux/ip.h>

        BPF_HASH(packets, u32, u64);

        int keep_icmp(struct __sk_buff *skb) {
            if (skb->protocol != htons(ETH_P_IP))
                return 0;
            // Socket filters may not read the packet directly: copy the header out of it.
            struct iphdr iph;
            if (bpf_skb_load_bytes(skb, ETH_HLEN, &iph, sizeof(iph)) < 0)
                return 0;
            u32 protocol = iph.protocol;
            packets.increment(protocol);
            return protocol == IPPROTO_ICMP ? -1 : 0; // -1: the whole frame goes to the socket, 0: none of it
        }
        """;

// Frames are in network byte order.
static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
static final int ETH_HLEN = 14;
static final Map<Long, String> PROTOCOLS = Map.of(1L, "ICMP", 6L, "TCP", 17L, "UDP");
static final Map<Integer, String> ICMP_TYPES = Map.of(0, "echo reply", 3, "destination unreachable", 8, "echo request",
        11, "time exceeded");

static String ipv4(MemorySegment frame, long offset) {
    return (frame.get(ValueLayout.JAVA_BYTE, offset) & 0xff) + "." + (frame.get(ValueLayout.JAVA_BYTE, offset + 1) & 0xff) + "."
            + (frame.get(ValueLayout.JAVA_BYTE, offset + 2) & 0xff) + "." + (frame.get(ValueLayout.JAVA_BYTE, offset + 3) & 0xff);
}

/** One line per ICMP frame: addresses, type, and for echoes the id and sequence number. */
static String describe(MemorySegment frame, int length) {
    int ihl = (frame.get(ValueLayout.JAVA_BYTE, ETH_HLEN) & 0x0f) * 4;
    long icmp = ETH_HLEN + ihl;
    if (length < icmp + 8) return "(short ICMP frame, " + length + " bytes)";
    int type = frame.get(ValueLayout.JAVA_BYTE, icmp) & 0xff;
    String line = ipv4(frame, ETH_HLEN + 12) + " > " + ipv4(frame, ETH_HLEN + 16) + ": ICMP "
            + ICMP_TYPES.getOrDefault(type, "type " + type);
    if (type == 0 || type == 8) {
        line += ", id " + Short.toUnsignedInt(frame.get(BE16, icmp + 4)) + ", seq " + Short.toUnsignedInt(frame.get(BE16, icmp + 6));
    }
    return line;
}

void main(String[] args) {
    if (args.length < 1) {
        System.err.println("usage: ./jbcc examples/SocketFilter.java DEVICE [seconds]");
        System.exit(2);
    }
    String device = args[0];
    long deadline = args.length > 1 ? System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L : Long.MAX_VALUE;
    // Ctrl-C ends the loop; the counts are still printed before the JVM exits.
    try (StopSignal stop = StopSignal.trap(); BPF b = BPF.fromText(PROGRAM); Arena arena = Arena.ofConfined()) {
        var socket = b.attachRawSocket(b.loadFunc("keep_icmp", BPF.SOCKET_FILTER), device);
        System.out.println("Capturing ICMP on " + device + ", counting IPv4 packets by protocol... Hit Ctrl-C to end.");
        MemorySegment frame = arena.allocate(2048);
        while (!stop.received() && System.nanoTime() < deadline) {
            int length = socket.receive(frame, Duration.ofMillis(200));
            if (length > 0) System.out.println(describe(frame, Math.min(length, (int) frame.byteSize())));
        }
        HashTable packets = b.get("packets");
        System.out.printf("%n%-10s %s%n", "PROTOCOL", "PACKETS");
        for (Map.Entry<Value, Value> e : packets.items()) {
            long protocol = e.getKey().value();
            System.out.printf("%-10s %d%n", PROTOCOLS.getOrDefault(protocol, String.valueOf(protocol)), e.getValue().value());
        }
    }
}
