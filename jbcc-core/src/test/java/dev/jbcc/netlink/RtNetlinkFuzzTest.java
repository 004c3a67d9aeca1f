package dev.jbcc.netlink;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.obj.testing.FuzzSeeds;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.jbcc.netlink.Nl.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target: a datagram of rtnetlink replies, as {@link NetlinkSocket} receives it, parsed into
 * messages and each message into the device, qdisc or filter it describes. Malformed replies throw
 * FormatException; an error the reply carries throws SyscallException with the kernel's text;
 * nothing else escapes. Seeds: replies captured from the kernel ({@code dev.jbcc.obj.testing.FuzzSeeds}),
 * with sequence number {@link #SEQ}.
 */
public class RtNetlinkFuzzTest {
    static final int SEQ = 0x4a424343;

    /**
     * Writes the seeds: {@code args[0]} is the test resources directory. The link and qdisc dumps are
     * the running kernel's replies, framed again with {@link #SEQ}; a filter, an ACK and an error
     * with the kernel's extended-ACK text are built as the kernel sends them.
     */
    public static void main(String[] args) {
        Path root = FuzzSeeds.root(args);
        try (NetlinkSocket socket = NetlinkSocket.open()) {
            // Loopback only: other devices would put this machine's addresses into the repository.
            var lo = socket.exchange(RTM_GETLINK, 0, m -> m.ifinfomsg(1).u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS),
                    "get lo", null);
            seed(root, "link_lo", dump(lo));
            var qdiscs = socket.exchange(RTM_GETQDISC, NLM_F_DUMP, m -> m.tcmsg(1, 0, 0, 0), "dump qdiscs of lo", null);
            seed(root, "qdiscs_dump", dump(qdiscs.stream().filter(r -> r.body().get(U32, TCM_IFINDEX) == 1).toList()));
        }
        try (Arena arena = Arena.ofConfined()) {
            Message link = new Message(arena.allocate(512, 8), RTM_NEWLINK, 0).ifinfomsg(7)
                    .string(IFLA_IFNAME, "veth0").u32(IFLA_MTU, 1500);
            int xdp = link.nest(IFLA_XDP);
            link.u8(IFLA_XDP_ATTACHED, 2).u32(IFLA_XDP_PROG_ID, 42).end(xdp);
            seed(root, "link_with_xdp", link.seal(SEQ).toArray(ValueLayout.JAVA_BYTE));
        }
        try (Arena arena = Arena.ofConfined()) {
            Message filter = new Message(arena.allocate(512, 8), RTM_NEWTFILTER, NLM_F_MULTI)
                    .tcmsg(1, 1, 0xFFFFFFF2, (1 << 16) | 0x0300).string(TCA_KIND, "bpf").u32(TCA_CHAIN, 0);
            int options = filter.nest(TCA_OPTIONS);
            filter.string(TCA_BPF_NAME, "tc_prog").u32(TCA_BPF_ID, 42).u32(TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT)
                    .end(options);
            ByteArrayOutputStream d = new ByteArrayOutputStream();
            d.writeBytes(filter.seal(SEQ).toArray(ValueLayout.JAVA_BYTE));
            d.writeBytes(message(NLMSG_DONE, NLM_F_MULTI, new byte[4]));
            seed(root, "filter_dump", d.toByteArray());
        }
        seed(root, "ack", message(NLMSG_ERROR, NLM_F_CAPPED, new byte[4 + NLMSG_HDRLEN]));
        byte[] text = "Exclusivity flag on, cannot modify\0".getBytes(StandardCharsets.UTF_8);
        ByteBuffer error = ByteBuffer.allocate(4 + NLMSG_HDRLEN + RTA_HDRLEN + align4(text.length)).order(ByteOrder.nativeOrder());
        error.putInt(-17).putInt(NLMSG_HDRLEN).putShort((short) RTM_NEWQDISC).putShort((short) 0).putInt(SEQ).putInt(0);
        error.putShort((short) (RTA_HDRLEN + text.length)).putShort((short) NLMSGERR_ATTR_MSG).put(text);
        seed(root, "error_with_text", message(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, error.array()));
    }

    private static void seed(Path root, String name, byte[] datagram) {
        FuzzSeeds.write(root, RtNetlinkFuzzTest.class, "replies", name, datagram);
    }

    /** The replies of a dump as one datagram, ended by NLMSG_DONE. */
    private static byte[] dump(List<NetlinkSocket.Reply> replies) {
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        for (NetlinkSocket.Reply r : replies) d.writeBytes(message(r.type(), r.flags(), r.body().toArray(ValueLayout.JAVA_BYTE)));
        d.writeBytes(message(NLMSG_DONE, NLM_F_MULTI, new byte[4]));
        return d.toByteArray();
    }

    private static byte[] message(int type, int flags, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(NLMSG_HDRLEN + align4(body.length)).order(ByteOrder.nativeOrder());
        b.putInt(NLMSG_HDRLEN + body.length).putShort((short) type).putShort((short) flags).putInt(SEQ).putInt(0).put(body);
        return b.array();
    }

    @FuzzTest
    void replies(byte[] datagram) {
        List<NetlinkSocket.Reply> replies = new ArrayList<>();
        try {
            NetlinkSocket.parse(MemorySegment.ofArray(datagram), SEQ, replies, "fuzzed request", errno -> "a hint");
        } catch (FormatException | SyscallException expected) {
            return;
        }
        // A message is at least its 16-byte header.
        assertTrue(replies.size() <= datagram.length / 16, replies.size() + " replies from " + datagram.length + " bytes");
        for (NetlinkSocket.Reply r : replies) {
            try {
                switch (r.type()) {
                    case Nl.RTM_NEWLINK -> {
                        NetDevice d = RtNetlink.parseDevice(r.body());
                        assertTrue(d.name() == null || d.name().length() <= datagram.length);
                    }
                    case Nl.RTM_NEWQDISC -> RtNetlink.parseQdisc(r.body());
                    case Nl.RTM_NEWTFILTER -> RtNetlink.parseFilter(r.body());
                    default -> { }
                }
            } catch (FormatException expected) {
                // a body shorter than its fixed header
            }
        }
    }
}
