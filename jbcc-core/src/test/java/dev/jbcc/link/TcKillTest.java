package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.netlink.NetNamespace;
import dev.jbcc.netlink.TcFilter;
import dev.jbcc.testing.KilledChild;
import dev.jbcc.testing.TestNetwork;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 while a TC program is attached. The default attach is a tcx link where the kernel has
 * tcx (6.6+), and goes with the process; elsewhere, and through {@link TcOptions.Via#NETLINK}
 * always, a filter stays (as with bcc), named with the dead process's pid, and the next attach on
 * the device, or {@code jbcc cleanup} ({@link TcLink#removeLeftovers}), removes it. A live
 * process's filter is left alone. Which kernel this is, is probed, and each is held to its own
 * behaviour.
 */
public class TcKillTest {

    /**
     * The child: attaches tc_drop_icmp on ingress of the device {@code args[0]} through
     * {@code args[1]} (a {@link TcOptions.Via}), says how ("attached tcx" or "attached FILTERNAME"),
     * and waits to be killed.
     */
    public static void main(String[] args) throws Exception {
        Collection c = NetPrograms.load();
        TcLink link = TcLink.attach(c.program("tc_drop_icmp"), args[0],
                TcOptions.ingress().withVia(TcOptions.Via.valueOf(args[1])));
        System.out.println("attached " + (link.isTcx() ? "tcx" : link.filter().bpfName()));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Starts the child in the test network's namespace, attaching through netlink, and kills it
     * with SIGKILL once attached; returns the filter's name.
     */
    public static String attachAndKill(TestNetwork net) throws Exception {
        String name = attachAndKill(net, TcOptions.Via.NETLINK);
        assertFalse(name.equals("tcx"), "Via.NETLINK attached a filter");
        return name;
    }

    /**
     * Starts the child in the test network's namespace, attaching through {@code via}, checks that
     * it drops pings, and kills it with SIGKILL; returns "tcx" or the filter's name, which carries
     * the child's pid.
     */
    static String attachAndKill(TestNetwork net, TcOptions.Via via) throws Exception {
        KilledChild.Child child = KilledChild.run(List.of("ip", "netns", "exec", net.namespace()), TcKillTest.class,
                List.of(net.nsDevice(), via.name()), c -> {
                    assertTrue(c.firstLine().equals("attached tcx")
                            || c.firstLine().startsWith("attached tc_drop_icmp[jbcc:" + c.pid() + ":"), c.firstLine());
                    assertTrue(net.pingFromHost(1).allLost(), "the child's program drops pings");
                });
        return child.firstLine().substring("attached ".length());
    }

    @Test
    void theDefaultAttachGoesWithTheKilledProcessWhereTheKernelHasTcxAndIsRemovedByTheNextAttachElsewhere() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            NetNamespace ns = net.netns();
            boolean tcx = NetPrograms.haveTcx(net, c);
            String attached = attachAndKill(net, TcOptions.Via.AUTO);
            if (tcx) {
                assertEquals("tcx", attached, "the default attach on a kernel with tcx");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!net.pingFromHost(1).allAnswered() && System.nanoTime() < deadline) Thread.sleep(50);
                assertTrue(net.pingFromHost(1).allAnswered(), "the tcx link went with the process");
                assertFalse(net.nsQdiscs().contains("clsact"), "and left no qdisc: " + net.nsQdiscs());
                assertTrue(net.nsFilters("ingress").isBlank(), net.nsFilters("ingress"));
            } else {
                // Before 6.6: the netlink fallback, marked as the dead process's.
                assertTrue(attached.startsWith("tc_drop_icmp[jbcc:"), attached);
                assertTrue(net.nsFilters("ingress").contains(attached), net.nsFilters("ingress"));
                assertTrue(net.pingFromHost(1).allLost(), "the filter outlives the process and still drops");
                try (TcLink next = ns.call(() -> TcLink.attach(c.program("tc_pass"), net.nsDevice(), TcDirection.INGRESS))) {
                    assertFalse(next.isTcx());
                    assertFalse(net.nsFilters("ingress").contains(attached), "the next attach removed it: "
                            + net.nsFilters("ingress"));
                    assertTrue(net.pingFromHost(1).allAnswered());
                }
            }
        }
    }

    @Test
    void whatAKilledProcessLeftThroughNetlinkIsRemovedAndALiveOnesFilterStays() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            NetNamespace ns = net.netns();
            boolean tcx = NetPrograms.haveTcx(net, c);
            String name = attachAndKill(net);
            assertTrue(net.nsFilters("ingress").contains(name), "netlink's filter outlives the process: " + net.nsFilters("ingress"));
            assertTrue(net.pingFromHost(1).allLost(), "and still drops pings");

            // The next attach, the default way (tcx where the kernel has it), removes it, and only that.
            try (TcLink mine = ns.call(() -> TcLink.attach(c.program("tc_drop_icmp"), net.nsDevice(), TcDirection.EGRESS));
                 TcLink live = ns.call(() -> TcLink.attach(c.program("tc_pass"), net.nsDevice(),
                         TcOptions.ingress().withVia(TcOptions.Via.NETLINK)))) {
                assertEquals(tcx, mine.isTcx());
                assertFalse(net.nsFilters("ingress").contains(name), net.nsFilters("ingress"));
                assertTrue(net.nsFilters("ingress").contains(live.filter().bpfName()), net.nsFilters("ingress"));
                if (!tcx) assertTrue(net.nsFilters("egress").contains(mine.filter().bpfName()), net.nsFilters("egress"));
                assertTrue(net.pingFromHost(1).allLost(), "mine drops the replies on egress");
                List<TcFilter> removed = ns.call(() -> TcLink.removeLeftovers(net.nsDevice()));
                assertEquals(List.of(), removed, "a live process's filter stays");
                assertTrue(net.nsFilters("ingress").contains(live.filter().bpfName()), net.nsFilters("ingress"));
            }

            String again = attachAndKill(net);
            List<TcFilter> removed = ns.call(() -> TcLink.removeLeftovers(net.nsDevice()));
            assertEquals(1, removed.size(), removed.toString());
            assertEquals(again, removed.getFirst().bpfName());
            assertTrue(net.nsFilters("ingress").isBlank(), net.nsFilters("ingress"));
            assertTrue(net.pingFromHost(1).allAnswered());
        }
    }
}
