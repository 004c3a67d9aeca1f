package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.features.KernelVersion;
import dev.jbcc.Program;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.PinException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.netlink.NetNamespace;
import dev.jbcc.netlink.TcHandle;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.TempBpfFs;
import dev.jbcc.testing.TestNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;

import static dev.jbcc.link.NetPrograms.assertTcpWorks;
import static dev.jbcc.link.NetPrograms.icmpDrops;
import static org.junit.jupiter.api.Assertions.*;

/**
 * TC on the namespace end of a veth pair, pinged from the host: clsact + direct-action bpf
 * filters on ingress and egress, the qdisc left as it was found, and tcx links.
 */
@ExtendWith(FdLeakCheck.class)
class TcLinkTest {
    private static final int PINGS = 3;
    private static final TcOptions NETLINK_INGRESS = TcOptions.ingress().withVia(TcOptions.Via.NETLINK);

    @Test
    void theDefaultIsTcxWhereTheKernelHasItElseANetlinkFilter() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load(); TempBpfFs fs = new TempBpfFs()) {
            boolean tcx = NetPrograms.haveTcx(net, c);
            NetNamespace ns = net.netns();
            try (TcLink link = ns.call(() -> TcLink.attach(c.program("tc_drop_icmp"), net.nsDevice(), TcDirection.INGRESS))) {
                assertEquals(tcx, link.isTcx());
                assertEquals(TcDirection.INGRESS, link.direction());
                assertEquals(!tcx, net.nsQdiscs().contains("clsact"), "a qdisc only for the netlink filter: " + net.nsQdiscs());
                long before = icmpDrops(c);
                assertTrue(net.pingFromHost(PINGS).allLost());
                assertEquals(PINGS, icmpDrops(c) - before);
                if (tcx) {
                    assertFalse(link.addedQdisc());
                    assertThrows(IllegalStateException.class, link::filter, "a tcx link has no filter");
                    Path pin = fs.path().resolve("tc");
                    link.pin(pin);
                    assertTrue(java.nio.file.Files.exists(pin));
                    link.unpin();
                } else {
                    assertTrue(link.filter().bpfName().startsWith("tc_drop_icmp[jbcc:" + ProcessHandle.current().pid() + ":"),
                            link.filter().bpfName());
                    assertThrows(PinException.class, () -> link.pin(fs.path().resolve("tc")));
                }
            }
            assertFalse(net.nsQdiscs().contains("clsact"), net.nsQdiscs());
            assertTrue(net.pingFromHost(PINGS).allAnswered(), "closing detached it");

            TcOptions tcxOnly = TcOptions.egress().withVia(TcOptions.Via.TCX);
            if (tcx) {
                try (TcLink link = ns.call(() -> TcLink.attach(c.program("tc_drop_icmp"), net.nsDevice(), tcxOnly))) {
                    assertTrue(link.isTcx());
                    assertTrue(net.pingFromHost(1).allLost(), "echo replies dropped on egress");
                }
            } else {
                var e = assertThrows(UnsupportedFeatureException.class,
                        () -> ns.call(() -> TcLink.attach(c.program("tc_drop_icmp"), net.nsDevice(), tcxOnly)));
                assertEquals("6.6", e.minimumKernel());
            }
            assertTrue(net.pingFromHost(1).allAnswered());
            var named = assertThrows(IllegalArgumentException.class, () -> tcxOnly.withName("x"));
            assertTrue(named.getMessage().contains("tcx"), named.getMessage());
        }
    }

    @Test
    void ingressFilterDropsPingsAndCloseRemovesTheQdiscItAdded() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            assertFalse(net.nsQdiscs().contains("clsact"), "no clsact before");
            Program drop = c.program("tc_drop_icmp");
            NetNamespace ns = net.netns();
            try (TcLink link = ns.call(() -> TcLink.attach(drop, net.nsDevice(), NETLINK_INGRESS))) {
                assertFalse(link.isTcx());
                assertTrue(link.addedQdisc());
                assertEquals(TcDirection.INGRESS, link.direction());
                assertEquals(TcHandle.INGRESS, link.filter().parent());
                assertEquals(drop.id(), link.filter().bpfProgramId());
                assertTrue(link.filter().directAction());
                assertTrue(link.filter().priority() > 0 && link.filter().handle() != 0, "the kernel's choice is reported");
                assertTrue(net.nsQdiscs().contains("clsact"), net.nsQdiscs());
                String filters = net.nsFilters("ingress");
                assertTrue(filters.contains("tc_drop_icmp") && filters.contains("direct-action")
                        && filters.contains("pref " + link.filter().priority()), filters);

                long before = icmpDrops(c);
                TestNetwork.Ping ping = net.pingFromHost(PINGS);
                assertTrue(ping.allLost(), ping.output());
                assertEquals(PINGS, icmpDrops(c) - before, "one count per echo request dropped at ingress");
                assertTcpWorks(net);
                assertEquals(PINGS, icmpDrops(c) - before);
            }
            assertFalse(net.nsQdiscs().contains("clsact"), "the qdisc the link added is gone: " + net.nsQdiscs());
            assertTrue(net.pingFromHost(PINGS).allAnswered());
        }
    }

    @Test
    void egressFilterDropsTheEchoReplies() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            NetNamespace ns = net.netns();
            try (TcLink link = ns.call(() -> TcLink.attach(c.program("tc_drop_icmp"), net.nsDevice(),
                    TcOptions.egress().withPriority(5).withHandle(7).withName("drop_replies")))) {
                assertFalse(link.isTcx(), "a filter's settings make the default a netlink filter");
                assertEquals(TcHandle.EGRESS, link.filter().parent());
                assertEquals(5, link.filter().priority());
                assertEquals(7, link.filter().handle());
                String filters = net.nsFilters("egress");
                assertTrue(filters.contains("drop_replies") && filters.contains("pref 5")
                        && filters.contains("handle 0x7"), filters);
                assertTrue(net.nsFilters("ingress").isBlank(), "nothing on ingress");
                long before = icmpDrops(c);
                assertTrue(net.pingFromHost(PINGS).allLost());
                assertEquals(PINGS, icmpDrops(c) - before, "one count per echo reply dropped at egress");
                assertTcpWorks(net);
            }
            assertFalse(net.nsQdiscs().contains("clsact"));
            assertTrue(net.pingFromHost(PINGS).allAnswered());
        }
    }

    @Test
    void aClsactQdiscThatWasThereBeforeIsKept() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            TestNetwork.run("tc", "-n", net.namespace(), "qdisc", "add", "dev", net.nsDevice(), "clsact");
            NetNamespace ns = net.netns();
            try (TcLink link = ns.call(() -> TcLink.attach(c.program("tc_drop_icmp"), net.nsDevice(), NETLINK_INGRESS))) {
                assertFalse(link.addedQdisc());
                assertTrue(net.pingFromHost(PINGS).allLost());
            }
            assertTrue(net.nsQdiscs().contains("clsact"), "the qdisc found there stays: " + net.nsQdiscs());
            assertTrue(net.nsFilters("ingress").isBlank(), "but the filter is gone: " + net.nsFilters("ingress"));
            assertTrue(net.pingFromHost(PINGS).allAnswered());
            TestNetwork.run("tc", "-n", net.namespace(), "qdisc", "del", "dev", net.nsDevice(), "clsact");
        }
    }

    @Test
    void theQdiscGoesWhenTheLastLinkOnTheDeviceCloses() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            NetNamespace ns = net.netns();
            TcLink ingress = ns.call(() -> TcLink.attach(c.program("tc_pass"), net.nsDevice(), NETLINK_INGRESS));
            try (TcLink egress = ns.call(() -> TcLink.attach(c.program("tc_drop_icmp"), net.nsDevice(),
                    TcOptions.egress().withVia(TcOptions.Via.NETLINK)))) {
                assertTrue(ingress.addedQdisc());
                assertFalse(egress.addedQdisc());
                ingress.close();
                assertTrue(net.nsQdiscs().contains("clsact"), "the egress filter still needs the qdisc");
                assertTrue(net.nsFilters("ingress").isBlank());
                assertTrue(net.pingFromHost(1).allLost(), "the egress filter still drops");
            }
            assertFalse(net.nsQdiscs().contains("clsact"), "the last link removed the qdisc the first one added");
            assertTrue(net.pingFromHost(1).allAnswered());
        }
    }

    @Test
    void tcxLinkDropsPingsWithoutAQdiscOnKernelsThatHaveTcx() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load(); TempBpfFs fs = new TempBpfFs()) {
            Program drop = c.program("tc_drop_icmp");
            NetNamespace ns = net.netns();
            if (!KernelVersion.current().atLeast(6, 6)) {
                var e = assertThrows(UnsupportedFeatureException.class,
                        () -> ns.call(() -> TcxLink.attach(drop, net.nsDevice(), TcDirection.INGRESS)));
                assertEquals("6.6", e.minimumKernel());
                assertTrue(e.getMessage().contains("TcLink"), "names the alternative: " + e.getMessage());
                // The alternative it names works on this kernel.
                try (TcLink link = ns.call(() -> TcLink.attach(drop, net.nsDevice(), TcDirection.INGRESS))) {
                    assertTrue(net.pingFromHost(PINGS).allLost());
                }
                return;
            }
            Path pin = fs.path().resolve("tcx");
            try (TcxLink link = ns.call(() -> TcxLink.attach(drop, net.nsDevice(), TcDirection.INGRESS))) {
                assertFalse(net.nsQdiscs().contains("clsact"), "tcx needs no qdisc");
                long before = icmpDrops(c);
                assertTrue(net.pingFromHost(PINGS).allLost());
                assertEquals(PINGS, icmpDrops(c) - before);
                assertTcpWorks(net);
                link.pin(pin);
                link.unpin();
            }
            assertTrue(net.pingFromHost(PINGS).allAnswered(), "closing the link detached it");
            try (TcxLink egress = ns.call(() -> TcxLink.attach(drop, net.nsDevice(), TcDirection.EGRESS))) {
                assertEquals(TcDirection.EGRESS, egress.direction());
                long before = icmpDrops(c);
                assertTrue(net.pingFromHost(PINGS).allLost());
                assertEquals(PINGS, icmpDrops(c) - before, "echo replies dropped on egress");
            }
            assertTrue(net.pingFromHost(1).allAnswered());
        }
    }

    @Test
    void errorsNameTheDeviceAndTheProgramType() {
        try (Collection c = NetPrograms.load()) {
            var unknown = assertThrows(SyscallException.class,
                    () -> TcLink.attach(c.program("tc_drop_icmp"), "jbnosuchdev", TcDirection.INGRESS));
            assertEquals(Errno.ENODEV, unknown.errno());
            assertTrue(unknown.getMessage().contains("'jbnosuchdev'"), unknown.getMessage());
            var tcx = assertThrows(SyscallException.class,
                    () -> TcxLink.attach(c.program("tc_drop_icmp"), "jbnosuchdev", TcDirection.INGRESS));
            assertTrue(tcx.getMessage().contains("'jbnosuchdev'"), tcx.getMessage());
            var type = assertThrows(IllegalArgumentException.class,
                    () -> TcLink.attach(c.program("xdp_drop_icmp"), "lo", TcDirection.INGRESS));
            assertTrue(type.getMessage().contains("XDP") && type.getMessage().contains("SCHED_CLS"), type.getMessage());
        }
    }
}
