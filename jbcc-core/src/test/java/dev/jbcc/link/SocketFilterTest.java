package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.TestNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** A socket filter on a raw packet socket bound to the namespace end of a veth pair. */
@ExtendWith(FdLeakCheck.class)
class SocketFilterTest {
    private static final int PINGS = 3;
    private static final int ETH_HLEN = 14, IP_PROTO = ETH_HLEN + 9, ICMP_TYPE = ETH_HLEN + 20;
    private static final int ICMP_ECHO_REPLY = 0, ICMP_ECHO_REQUEST = 8;

    @Test
    void receivesTheIcmpPacketsOfAPingAndNothingElse() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            try (SocketFilter filter = net.netns().call(() -> SocketFilter.attach(c.program("icmp_only"), net.nsDevice()))) {
                assertTrue(filter.fd() > 0);
                assertEquals(net.nsDevice(), filter.device().name());
                NetPrograms.assertTcpWorks(net); // traffic the filter must not pass
                assertTrue(net.pingFromHost(PINGS).allAnswered(), "a socket filter only filters what the socket sees");

                List<byte[]> frames = new ArrayList<>();
                Optional<byte[]> frame;
                while ((frame = filter.receive(Duration.ofMillis(500))).isPresent()) frames.add(frame.get());

                int requests = 0, replies = 0;
                for (byte[] f : frames) {
                    assertTrue(f.length > ICMP_TYPE, "a whole frame: " + f.length + " bytes");
                    assertEquals(0x0800, ((f[12] & 0xFF) << 8) | (f[13] & 0xFF), "IPv4 only");
                    assertEquals(1, f[IP_PROTO], "ICMP only");
                    if (f[ICMP_TYPE] == ICMP_ECHO_REQUEST) requests++;
                    if (f[ICMP_TYPE] == ICMP_ECHO_REPLY) replies++;
                }
                assertEquals(PINGS, requests, "each echo request coming in");
                assertEquals(PINGS, replies, "each echo reply going out");
                assertEquals(2 * PINGS, frames.size(), "and nothing else: no TCP, ARP or IPv6");
                filter.close();
                filter.close();
            }
        }
    }

    @Test
    void errorsNameTheDeviceAndTheProgramType() {
        try (Collection c = NetPrograms.load()) {
            var unknown = assertThrows(SyscallException.class, () -> SocketFilter.attach(c.program("icmp_only"), "jbnosuchdev"));
            assertEquals(Errno.ENODEV, unknown.errno());
            assertTrue(unknown.getMessage().contains("'jbnosuchdev'"), unknown.getMessage());
            var type = assertThrows(IllegalArgumentException.class, () -> SocketFilter.attach(c.program("xdp_pass"), "lo"));
            assertTrue(type.getMessage().contains("SOCKET_FILTER"), type.getMessage());
        }
    }
}
