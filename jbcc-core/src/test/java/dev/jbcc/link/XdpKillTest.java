package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.netlink.NetNamespace;
import dev.jbcc.testing.KilledChild;
import dev.jbcc.testing.TestNetwork;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 while an XDP program is attached through netlink: it stays attached (a bpf_link would
 * go with the process), marked as the dead process's, and {@link XdpLink#removeLeftovers} (what
 * {@code jbcc cleanup} runs) or the next attach detaches it. A live process's attachment stays.
 */
public class XdpKillTest {

    /** The child: attaches xdp_drop_icmp to the device {@code args[0]} through netlink, says "attached ID", and waits. */
    public static void main(String[] args) throws Exception {
        Collection c = NetPrograms.load();
        XdpLink link = XdpLink.attach(c.program("xdp_drop_icmp"), args[0],
                XdpOptions.defaults().withVia(XdpOptions.Via.NETLINK).withMode(XdpMode.GENERIC));
        System.out.println("attached " + link.programId());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Runs the child in the test network's namespace, checks that its program drops pings, and
     * kills it; returns the id of the program it left attached.
     */
    public static int attachAndKill(TestNetwork net) throws Exception {
        KilledChild.Child child = KilledChild.run(List.of("ip", "netns", "exec", net.namespace()), XdpKillTest.class,
                List.of(net.nsDevice()), c -> {
                    assertTrue(c.firstLine().startsWith("attached "), c.firstLine());
                    assertTrue(net.pingFromHost(1).allLost(), "the child's program drops pings");
                });
        int id = Integer.parseInt(child.firstLine().substring("attached ".length()));
        assertTrue(net.netns().call(() -> XdpLink.query(net.nsDevice())).has(id), "netlink's attachment outlives the process");
        assertTrue(net.pingFromHost(1).allLost(), "and still drops pings");
        return id;
    }

    @Test
    void whatAKilledProcessAttachedThroughNetlinkIsDetachedAndALiveOnesStays() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            NetNamespace ns = net.netns();
            int left = attachAndKill(net);
            List<XdpLink.Leftover> removed = ns.call(XdpLink::removeLeftovers);
            assertEquals(List.of(new XdpLink.Leftover(net.nsDevice(), left, XdpMode.GENERIC)), removed);
            assertFalse(ns.call(() -> XdpLink.query(net.nsDevice())).attached());
            assertTrue(net.pingFromHost(1).allAnswered());

            try (XdpLink mine = ns.call(() -> XdpLink.attach(c.program("xdp_pass"), net.nsDevice(),
                    XdpOptions.defaults().withVia(XdpOptions.Via.NETLINK).withMode(XdpMode.GENERIC)))) {
                assertEquals(List.of(), ns.call(XdpLink::removeLeftovers), "a live process's attachment stays");
                assertTrue(ns.call(() -> XdpLink.query(net.nsDevice())).has(mine.programId()));
            }
            assertFalse(ns.call(() -> XdpLink.query(net.nsDevice())).attached());
        }
    }

    @Test
    void theNextAttachDetachesWhatAKilledProcessLeft() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            NetNamespace ns = net.netns();
            int left = attachAndKill(net);
            try (XdpLink next = ns.call(() -> XdpLink.attach(c.program("xdp_pass"), net.nsDevice(),
                    XdpOptions.defaults().withMode(XdpMode.GENERIC)))) {
                assertTrue(next.isBpfLink(), "the device was free again for a bpf_link: " + next);
                assertFalse(ns.call(() -> XdpLink.query(net.nsDevice())).has(left));
                assertTrue(net.pingFromHost(1).allAnswered());
            }
        }
    }
}
