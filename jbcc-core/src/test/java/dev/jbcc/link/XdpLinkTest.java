package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.Program;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.PinException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.netlink.NetNamespace;
import dev.jbcc.netlink.XdpAttachment;
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
 * XDP on the namespace end of a veth pair, pinged from the host: the seed's "drop ICMP" program
 * through netlink and through a bpf_link, replace and update-if-noexist, and the errors.
 */
@ExtendWith(FdLeakCheck.class)
class XdpLinkTest {
    private static final int PINGS = 3;
    /** What these tests exercise is netlink's attachment; the default (a bpf_link where there is one) has its own. */
    private static final XdpOptions NETLINK = XdpOptions.defaults().withVia(XdpOptions.Via.NETLINK);

    @Test
    void netlinkGenericModeDropsPingsCountsThemAndLetsTcpThrough() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            assertTrue(net.pingFromHost(1).allAnswered(), "ping works before attaching");
            Program drop = c.program("xdp_drop_icmp");
            NetNamespace ns = net.netns();
            try (XdpLink link = ns.call(() -> XdpLink.attach(drop, net.nsDevice(),
                    NETLINK.withMode(XdpMode.GENERIC)))) {
                assertFalse(link.isBpfLink());
                assertEquals(XdpMode.GENERIC, link.mode());
                XdpAttachment attached = ns.call(() -> XdpLink.query(net.nsDevice()));
                assertEquals(new XdpAttachment(drop.id(), 0, 0), attached, "generic mode holds our program");
                assertTrue(net.nsLinkDetails().contains("xdpgeneric"), "ip link shows the generic XDP program");

                long before = icmpDrops(c);
                TestNetwork.Ping ping = net.pingFromHost(PINGS);
                assertTrue(ping.allLost(), "every ping is dropped: " + ping.output());
                assertEquals(PINGS, icmpDrops(c) - before, "one count per echo request dropped");
                assertTcpWorks(net);
                assertEquals(PINGS, icmpDrops(c) - before, "TCP was not counted");
            }
            assertTrue(net.pingFromHost(PINGS).allAnswered(), "ping works again after close");
            assertFalse(net.nsLinkDetails().contains("xdp"), "ip link shows no XDP program: " + net.nsLinkDetails());
        }
    }

    @Test
    void bpfLinkDropsPingsAndAPinnedLinkOutlivesItsObject() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load(); TempBpfFs fs = new TempBpfFs()) {
            Program drop = c.program("xdp_drop_icmp");
            NetNamespace ns = net.netns();
            Path pin = fs.path().resolve("xdp_link");
            try (XdpLink link = ns.call(() -> XdpLink.attach(drop, net.nsDevice(),
                    XdpOptions.defaults().withMode(XdpMode.GENERIC).withVia(XdpOptions.Via.BPF_LINK)))) {
                assertTrue(link.isBpfLink());
                assertEquals(drop.id(), ns.call(() -> XdpLink.query(net.nsDevice())).genericProgramId());
                long before = icmpDrops(c);
                assertTrue(net.pingFromHost(PINGS).allLost());
                assertEquals(PINGS, icmpDrops(c) - before);
                assertTcpWorks(net);

                var busy = assertThrows(SyscallException.class, () -> ns.call(() -> XdpLink.attach(drop, net.nsDevice(),
                        NETLINK.withMode(XdpMode.GENERIC))));
                assertEquals(Errno.EBUSY, busy.errno(), "netlink cannot replace a program a bpf_link holds");
                assertTrue(busy.getMessage().contains(net.nsDevice()), busy.getMessage());

                link.pin(pin);
            }
            assertTrue(net.pingFromHost(1).allLost(), "the pin keeps the link, and the program, attached");
            try (RawLink pinned = RawLink.openPinned(pin)) {
                pinned.unpin();
            }
            assertTrue(net.pingFromHost(PINGS).allAnswered(), "unpinned and closed: detached");
            assertFalse(net.nsLinkDetails().contains("xdp"), net.nsLinkDetails());
        }
    }

    @Test
    void replaceWithExpectedProgramAndCloseLeavesAProgramThatIsNotItsOwn() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            Program pass = c.program("xdp_pass");
            Program drop = c.program("xdp_drop_icmp");
            NetNamespace ns = net.netns();
            XdpOptions generic = NETLINK.withMode(XdpMode.GENERIC);
            try (XdpLink first = ns.call(() -> XdpLink.attach(pass, net.nsDevice(), generic))) {
                assertTrue(net.pingFromHost(1).allAnswered(), "xdp_pass lets ping through");
                try (XdpLink second = ns.call(() -> XdpLink.attach(drop, net.nsDevice(), generic.replacing(pass)))) {
                    assertEquals(drop.id(), ns.call(() -> XdpLink.query(net.nsDevice())).genericProgramId());
                    assertTrue(net.pingFromHost(PINGS).allLost());

                    var mismatch = assertThrows(SyscallException.class, () -> ns.call(() ->
                            XdpLink.attach(pass, net.nsDevice(), generic.replacing(pass))));
                    assertEquals(Errno.EEXIST, mismatch.errno(), mismatch.getMessage());
                    assertTrue(mismatch.getMessage().contains(net.nsDevice()), mismatch.getMessage());
                    assertTrue(mismatch.getMessage().contains("kernel says"), "the kernel's extack text: " + mismatch.getMessage());

                    first.close();
                    assertEquals(drop.id(), ns.call(() -> XdpLink.query(net.nsDevice())).genericProgramId(),
                            "closing the replaced link leaves the program that replaced it");
                }
                assertFalse(ns.call(() -> XdpLink.query(net.nsDevice())).attached());
                assertTrue(net.pingFromHost(PINGS).allAnswered());
            }
        }
    }

    @Test
    void updateIfNoExistRefusesWhileAProgramIsAttached() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            Program pass = c.program("xdp_pass");
            Program drop = c.program("xdp_drop_icmp");
            NetNamespace ns = net.netns();
            XdpOptions generic = NETLINK.withMode(XdpMode.GENERIC);
            try (XdpLink link = ns.call(() -> XdpLink.attach(pass, net.nsDevice(), generic))) {
                var e = assertThrows(SyscallException.class, () -> ns.call(() ->
                        XdpLink.attach(drop, net.nsDevice(), generic.withUpdateIfNoExist(true))));
                assertEquals(Errno.EBUSY, e.errno());
                assertTrue(e.getMessage().contains(net.nsDevice()) && e.getMessage().contains("already attached"),
                        e.getMessage());
                assertEquals(pass.id(), ns.call(() -> XdpLink.query(net.nsDevice())).genericProgramId(),
                        "the attached program stays");

                link.update(drop);
                assertEquals(drop.id(), link.programId());
                assertTrue(net.pingFromHost(PINGS).allLost(), "update swapped in the dropping program");
            }
            assertFalse(ns.call(() -> XdpLink.query(net.nsDevice())).attached(), "close removed the updated program");
        }
    }

    @Test
    void autoModeOnAVethPicksNativeXdpAndCloseRemovesIt() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            Program drop = c.program("xdp_drop_icmp");
            NetNamespace ns = net.netns();
            try (XdpLink link = ns.call(() -> XdpLink.attach(drop, net.nsDevice()))) {
                assertTrue(link.isBpfLink(), "by default a bpf_link (5.9+), which a killed process does not leave behind");
                assertEquals(XdpMode.DRIVER, link.mode(), "veth has native XDP");
                assertEquals(new XdpAttachment(0, drop.id(), 0), ns.call(() -> XdpLink.query(net.nsDevice())));
            }
            assertFalse(ns.call(() -> XdpLink.query(net.nsDevice())).attached());
        }
    }

    @Test
    void removeDetachesWhateverIsAttachedLikeBccRemoveXdp() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            Program drop = c.program("xdp_drop_icmp");
            NetNamespace ns = net.netns();
            try (XdpLink link = ns.call(() -> XdpLink.attach(drop, net.nsDevice(),
                    NETLINK.withMode(XdpMode.GENERIC)))) {
                ns.run(() -> { XdpLink.remove(net.nsDevice(), XdpMode.GENERIC); return null; });
                assertFalse(ns.call(() -> XdpLink.query(net.nsDevice())).attached());
                assertTrue(net.pingFromHost(1).allAnswered());
            }
        }
    }

    @Test
    void unknownDeviceIsNamed() {
        try (Collection c = NetPrograms.load()) {
            var e = assertThrows(SyscallException.class, () -> XdpLink.attach(c.program("xdp_drop_icmp"), "jbnosuchdev"));
            assertEquals(Errno.ENODEV, e.errno());
            assertTrue(e.getMessage().contains("'jbnosuchdev'"), e.getMessage());
        }
    }

    @Test
    void aNonXdpProgramIsRefusedWithItsType() {
        try (Collection c = NetPrograms.load()) {
            var e = assertThrows(IllegalArgumentException.class, () -> XdpLink.attach(c.program("tc_drop_icmp"), "lo"));
            assertTrue(e.getMessage().contains("tc_drop_icmp") && e.getMessage().contains("SCHED_CLS")
                    && e.getMessage().contains("XDP"), e.getMessage());
        }
    }

    @Test
    void aNetlinkAttachmentCannotBePinned() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            NetNamespace ns = net.netns();
            try (XdpLink link = ns.call(() -> XdpLink.attach(c.program("xdp_pass"), net.nsDevice(),
                    NETLINK.withMode(XdpMode.GENERIC)))) {
                var e = assertThrows(PinException.class, () -> link.pin(Path.of("/sys/fs/bpf/x")));
                assertTrue(e.getMessage().contains("BPF_LINK"), e.getMessage());
                link.close();
                link.close();
            }
            assertFalse(ns.call(() -> XdpLink.query(net.nsDevice())).attached());
        }
    }

    @Test
    void optionsFromBccFlags() {
        assertEquals(XdpOptions.defaults(), XdpOptions.ofFlags(0));
        assertEquals(XdpOptions.defaults().withMode(XdpMode.GENERIC).withUpdateIfNoExist(true), XdpOptions.ofFlags(2 | 1));
        assertEquals(XdpMode.DRIVER, XdpOptions.ofFlags(4).mode());
        assertEquals(XdpMode.OFFLOAD, XdpOptions.ofFlags(8).mode());
        assertThrows(IllegalArgumentException.class, () -> XdpOptions.ofFlags(2 | 4));
        assertThrows(IllegalArgumentException.class, () -> XdpOptions.ofFlags(16));
        assertThrows(IllegalArgumentException.class, () -> XdpOptions.defaults().withVia(XdpOptions.Via.BPF_LINK)
                .withUpdateIfNoExist(true));
    }
}
