package dev.jbcc.bcc.dialect;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Hand-built Ethernet + IPv4 frames for packet programs' test runs. */
final class Packets {
    private Packets() {}

    static final int IPPROTO_ICMP = 1, IPPROTO_TCP = 6;

    /** An ICMP echo request, 10.0.0.1 → 10.0.0.2. */
    static byte[] icmpEcho() {
        byte[] icmp = {8, 0, 0, 0, 0, 1, 0, 1, 'j', 'b', 'c', 'c'};
        return ipv4(IPPROTO_ICMP, icmp);
    }

    /** A TCP SYN to port 80, 10.0.0.1 → 10.0.0.2. */
    static byte[] tcpSyn() {
        ByteBuffer tcp = ByteBuffer.allocate(20).order(ByteOrder.BIG_ENDIAN);
        tcp.putShort((short) 40000).putShort((short) 80).putInt(1).putInt(0)
           .put((byte) 0x50).put((byte) 0x02).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        return ipv4(IPPROTO_TCP, tcp.array());
    }

    /** Network byte order throughout, as on the wire. */
    static byte[] ipv4(int protocol, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + payload.length).order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) 1).putShort((short) 0)
         .put((byte) 64).put((byte) protocol).putShort((short) 0)
         .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        b.put(payload);
        return b.array();
    }
}
