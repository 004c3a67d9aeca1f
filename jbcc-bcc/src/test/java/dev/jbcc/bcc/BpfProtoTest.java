package dev.jbcc.bcc;

import dev.jbcc.TestRun;
import dev.jbcc.errors.CompileException;
import dev.jbcc.link.SocketFilter;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bcc's packet-parsing dialect ({@code <bcc/proto.h>}, {@code cursor_advance}): header fields read
 * through the packet cursor become loads from the packet, assignments stores into it.
 */
@ExtendWith(FdLeakCheck.class)
class BpfProtoTest {
    /** A socket filter in bcc's style: Ethernet → IPv4 → UDP, a count per destination port. */
    private static final String UDP_PORTS = """
            #include <bcc/proto.h>

            BPF_HASH(counts, u16, u64);

            int udp_ports(struct __sk_buff *skb) {
                u8 *cursor = 0;
                if (skb->pkt_type != 0) // PACKET_HOST: each datagram as it arrives, not loopback's outgoing copy
                    return 0;
                struct ethernet_t *ethernet = cursor_advance(cursor, sizeof(*ethernet));
                if (ethernet->type != 0x0800)
                    return 0;
                struct ip_t *ip = cursor_advance(cursor, sizeof(*ip));
                if (ip->nextp != IPPROTO_UDP)
                    return 0;
                cursor_advance(cursor, (ip->hlen << 2) - sizeof(*ip)); // IP options
                struct udp_t *udp = cursor_advance(cursor, sizeof(*udp));
                u16 port = udp->dport;
                counts.increment(port);
                return 0;
            }
            """;

    @Test
    void aSocketFilterCountsUdpDatagramsPerDestinationPort() throws Exception {
        try (BPF b = BPF.builder().text("udp_ports.c", UDP_PORTS).build();
             DatagramSocket first = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket second = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket sender = new DatagramSocket()) {
            SocketFilter filter = b.attachRawSocket(b.loadFunc("udp_ports", BPF.SOCKET_FILTER), "lo");
            assertTrue(filter.fd() > 0);
            Map<DatagramSocket, Integer> sent = Map.of(first, 3, second, 5);
            for (var e : sent.entrySet()) {
                DatagramSocket to = e.getKey();
                to.setSoTimeout(5000);
                for (int i = 0; i < e.getValue(); i++) {
                    byte[] payload = ("jbcc " + i).getBytes();
                    sender.send(new DatagramPacket(payload, payload.length, to.getLocalSocketAddress()));
                    to.receive(new DatagramPacket(new byte[64], 64)); // arrived, so the filter has seen it
                }
            }
            HashTable counts = b.get("counts");
            for (var e : sent.entrySet()) {
                int port = e.getKey().getLocalPort();
                assertTrue(counts.containsKey(counts.key(port)), "port " + port + " counted: " + counts.items());
                assertEquals(e.getValue().longValue(), counts.get(port).value(), "datagrams to port " + port);
            }
        }
    }

    /** The TC programs' start: proto.h, and put(i, v) to store what they read in the array "seen". */
    private static final String SEEN = """
            #include <bcc/proto.h>

            BPF_ARRAY(seen, u64, 16);

            static void put(int i, u64 v) { seen.update(&i, &v); }

            """;

    /** A TC classifier reading addresses, ports and bit fields, and writing two fields back. */
    private static final String TCP_FIELDS = SEEN + """
            int tcp_fields(struct __sk_buff *skb) {
                u8 *cursor = 0;
                struct ethernet_t *ethernet = cursor_advance(cursor, sizeof(*ethernet));
                put(0, ethernet->type);
                put(1, ethernet->src);
                struct ip_t *ip = cursor_advance(cursor, sizeof(*ip));
                if (ip->ver != 4 || ip->nextp != IPPROTO_TCP)
                    return 1;
                put(2, ip->src);
                put(3, ip->dst);
                put(4, ip->hlen);
                cursor_advance(cursor, (ip->hlen << 2) - sizeof(*ip));
                struct tcp_t *tcp = cursor_advance(cursor, sizeof(*tcp));
                put(5, tcp->src_port);
                put(6, tcp->dst_port);
                put(7, tcp->flag_syn);
                put(8, tcp->offset);
                ip->ttl = ip->ttl - 1;
                tcp->flag_psh = 1;
                return 0;
            }
            """;

    @Test
    void aTcClassifierReadsAddressesPortsAndBitFieldsAndWritesFields() {
        int srcPort = 40000 + (int) (ProcessHandle.current().pid() % 20000), dstPort = 443;
        byte[] src = {(byte) 192, (byte) 168, 7, 1}, dst = {10, 9, 8, 7};
        int ttl = 64;
        ByteBuffer p = ByteBuffer.allocate(14 + 20 + 20);
        p.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        p.put((byte) 0x45).put((byte) 0).putShort((short) 40).putShort((short) 1).putShort((short) 0)
         .put((byte) ttl).put((byte) 6).putShort((short) 0).put(src).put(dst);
        p.putShort((short) srcPort).putShort((short) dstPort).putInt(1).putInt(0)
         .put((byte) 0x50).put((byte) 0x02).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        byte[] packet = p.array();

        try (BPF b = BPF.builder().text("tcp_fields.c", TCP_FIELDS).build()) {
            TestRun.Result run = b.loadFunc("tcp_fields", BPF.SCHED_CLS).program().testRun(TestRun.packet(packet));
            assertEquals(0, run.returnValue(), "the program saw an IPv4 TCP packet");
            ArrayTable seen = b.get("seen");
            assertEquals(0x0800, seen.get(0).value(), "ethernet->type");
            assertEquals(0x0200_0000_0001L, seen.get(1).value(), "ethernet->src, a 48-bit field");
            assertEquals(Integer.toUnsignedLong(ByteBuffer.wrap(src).getInt()), seen.get(2).value(), "ip->src in host order");
            assertEquals(Integer.toUnsignedLong(ByteBuffer.wrap(dst).getInt()), seen.get(3).value(), "ip->dst");
            assertEquals(5, seen.get(4).value(), "ip->hlen, the low 4 bits of byte 0");
            assertEquals(srcPort, seen.get(5).value(), "tcp->src_port");
            assertEquals(dstPort, seen.get(6).value(), "tcp->dst_port");
            assertEquals(1, seen.get(7).value(), "tcp->flag_syn, one bit");
            assertEquals(5, seen.get(8).value(), "tcp->offset, the high 4 bits of byte 12");

            byte[] out = run.data();
            assertEquals(ttl - 1, out[14 + 8] & 0xFF, "ip->ttl = ip->ttl - 1 stored into the packet");
            assertEquals(0x02 | 0x08, out[14 + 20 + 13] & 0xFF, "tcp->flag_psh = 1 set one bit, kept SYN");
            for (int i = 0; i < packet.length; i++) {
                if (i != 14 + 8 && i != 14 + 20 + 13) assertEquals(packet[i], out[i], "byte " + i + " untouched");
            }
        }
    }

    /** Ethernet → 802.1Q → IPv6 → UDP → VXLAN: fields that share bytes, 20-bit and 64-bit fields. */
    private static final String VXLAN_FIELDS = SEEN + """
            int vxlan_fields(struct __sk_buff *skb) {
                u8 *cursor = 0;
                struct ethernet_t *ethernet = cursor_advance(cursor, sizeof(*ethernet));
                if (ethernet->type != 0x8100)
                    return 1;
                struct dot1q_t *vlan = cursor_advance(cursor, sizeof(*vlan));
                put(0, vlan->pri);
                put(1, vlan->cfi);
                put(2, vlan->vlanid);
                put(3, vlan->type);
                struct ip6_t *ip6 = cursor_advance(cursor, sizeof(*ip6));
                put(4, ip6->ver);
                put(5, ip6->priority);
                put(6, ip6->flow_label);
                put(7, ip6->payload_len);
                put(8, ip6->next_header);
                put(9, ip6->hop_limit);
                put(10, ip6->src_hi);
                put(11, ip6->dst_lo);
                struct udp_t *udp = cursor_advance(cursor, sizeof(*udp));
                put(12, udp->dport);
                struct vxlan_t *vxlan = cursor_advance(cursor, sizeof(*vxlan));
                put(13, vxlan->iflag);
                put(14, vxlan->key);
                put(15, vxlan->rsv4);
                return 0;
            }
            """;

    @Test
    void headersWithFieldsThatShareBytesReadAsTheyAreOnTheWire() {
        int pri = 5, cfi = 1, vlanId = 0xABC, trafficClass = 0xB7, flowLabel = 0x9_1234, hopLimit = 33, vni = 0x12_3456;
        long srcHi = 0xFE80_0000_0000_0001L, dstLo = 0x0000_0000_CAFE_F00DL;
        ByteBuffer p = ByteBuffer.allocate(14 + 4 + 40 + 8 + 8 + 14);
        p.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x8100);
        p.putShort((short) (pri << 13 | cfi << 12 | vlanId)).putShort((short) 0x86DD);
        int payload = 8 + 8 + 14;
        p.putInt(6 << 28 | trafficClass << 20 | flowLabel).putShort((short) payload).put((byte) 17).put((byte) hopLimit)
         .putLong(srcHi).putLong(2).putLong(0xFE80_0000_0000_0000L).putLong(dstLo);
        p.putShort((short) 50000).putShort((short) 4789).putShort((short) payload).putShort((short) 0);
        p.putInt(0x08 << 24).putInt(vni << 8 | 0x5A);
        byte[] packet = p.array();

        try (BPF b = BPF.builder().text("vxlan_fields.c", VXLAN_FIELDS).build()) {
            TestRun.Result run = b.loadFunc("vxlan_fields", BPF.SCHED_CLS).program().testRun(TestRun.packet(packet));
            assertEquals(0, run.returnValue(), "the program saw a VLAN-tagged frame");
            ArrayTable seen = b.get("seen");
            long[] expected = {pri, cfi, vlanId, 0x86DD, 6, trafficClass, flowLabel, payload, 17, hopLimit, srcHi, dstLo,
                    4789, 1, vni, 0x5A};
            String[] names = {"vlan->pri", "vlan->cfi", "vlan->vlanid", "vlan->type", "ip6->ver", "ip6->priority",
                    "ip6->flow_label", "ip6->payload_len", "ip6->next_header", "ip6->hop_limit", "ip6->src_hi",
                    "ip6->dst_lo", "udp->dport", "vxlan->iflag", "vxlan->key", "vxlan->rsv4"};
            for (int i = 0; i < expected.length; i++) assertEquals(expected[i], seen.get(i).value(), names[i]);
        }
    }

    @Test
    void aPacketHeaderReadInAProgramWithoutAnSkbIsOneClearError() {
        var e = assertThrows(CompileException.class, () -> BPF.builder().text("xdp_cursor.c", """
                #include <bcc/proto.h>

                int xdp_cursor(struct xdp_md *ctx) {
                    u8 *cursor = 0;
                    struct ethernet_t *ethernet = cursor_advance(cursor, sizeof(*ethernet));
                    return ethernet->type == 0x0800 ? XDP_DROP : XDP_PASS;
                }
                """).build());
        String first = e.getMessage().lines().findFirst().orElse("");
        assertTrue(first.startsWith("xdp_cursor.c:6: error: 'ethernet->type' is a field of packet header struct ethernet_t"), first);
        assertTrue(first.contains("struct __sk_buff *skb"), first);
    }
}
