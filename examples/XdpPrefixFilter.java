// Drops IPv4 packets by source prefix at the driver: an XDP program looks each packet's source
// address up in a BPF_LPM_TRIE (longest prefix match) that the Java side fills from the command
// line; the matching prefix's leaf counts the packets it dropped.
//
//   ./jbcc examples/XdpPrefixFilter.java DEV SECONDS PREFIX... (e.g. eth0 30 192.0.2.0/24 198.51.100.7/32)
//
// When it ends (or at Ctrl-C) it prints each prefix and the packets dropped by it; the program
// is detached when the BPF object closes. bcc counterpart: examples/networking/xdp/xdp_drop_count.py
// with an LPM trie (as in bcc's tests of BPF_LPM_TRIE) instead of a protocol counter.
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.LpmTrie;
import dev.jbcc.bcc.StopSignal;
import dev.jbcc.bcc.Value;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

static final String PROGRAM = """
        #include <uapi/linux/bpf.h>
        #include <linux/if_ether.h>
        #include <linux/ip.h>

        struct prefix_t {
            u32 prefixlen;      // an LPM trie key starts with its length in bits
            u8 addr[4];         // network byte order, most significant byte first
        };

        BPF_LPM_TRIE(prefixes, struct prefix_t, u64, 1024);   // prefix -> packets dropped

        int xdp_prefix_filter(struct xdp_md *ctx) {
            void *data = (void *)(long) ctx->data;
            void *data_end = (void *)(long) ctx->data_end;
            struct ethhdr *eth = data;
            if ((void *) (eth + 1) > data_end || eth->h_proto != htons(ETH_P_IP))
                return XDP_PASS;
            struct iphdr *ip = (void *) (eth + 1);
            if ((void *) (ip + 1) > data_end)
                return XDP_PASS;
            struct prefix_t key = { .prefixlen = 32 };
            __builtin_memcpy(key.addr, &ip->saddr, 4);
            u64 *dropped = prefixes.lookup(&key);    // the longest prefix containing saddr
            if (dropped == 0)
                return XDP_PASS;
            __sync_fetch_and_add(dropped, 1);
            return XDP_DROP;
        }
        """;

record Prefix(byte[] address, int length) {
    /** "a.b.c.d/n" (a bare address is a /32). */
    static Prefix parse(String text) {
        String[] parts = text.split("/", 2);
        Inet4Address address = Inet4Address.ofLiteral(parts[0]);   // a literal only: no name lookup
        int length = parts.length == 2 ? Integer.parseInt(parts[1]) : 32;
        if (length < 0 || length > 32) throw new IllegalArgumentException(text + ": a prefix length is 0 to 32");
        return new Prefix(address.getAddress(), length);
    }

    @Override
    public String toString() {
        return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff) + "/" + length;
    }
}

void main(String[] args) {
    if (args.length < 3) {
        System.err.println("usage: XdpPrefixFilter DEV SECONDS PREFIX...");
        System.exit(2);
    }
    String device = args[0];
    long seconds = Long.parseLong(args[1]);
    List<Prefix> drop = new ArrayList<>();
    for (int i = 2; i < args.length; i++) drop.add(Prefix.parse(args[i]));

    // Ctrl-C ends the wait below; the counts are printed and the program leaves the device
    // before the JVM exits (an XDP program attached through netlink outlives the process).
    try (StopSignal stop = StopSignal.trap(); BPF b = BPF.fromText(PROGRAM)) {
        LpmTrie prefixes = b.get("prefixes");
        for (Prefix p : drop) {
            // The trie keeps only the first `length` bits of the address.
            prefixes.put(prefixes.newKey().with("prefixlen", p.length()).with("addr", p.address()), prefixes.leaf(0));
        }
        b.attachXdp(device, b.loadFunc("xdp_prefix_filter", BPF.XDP), 0);
        System.out.println("Dropping packets from " + drop + " on " + device + "... Hit Ctrl-C to end.");
        if (!stop.sleep(Duration.ofSeconds(seconds))) System.out.println();
        System.out.printf("%-18s %s%n", "PREFIX", "DROPPED");
        for (Prefix p : drop) {
            Value key = prefixes.newKey().with("prefixlen", p.length()).with("addr", p.address());
            System.out.printf("%-18s %d%n", p, prefixes.get(key).value());
        }
    }
}
