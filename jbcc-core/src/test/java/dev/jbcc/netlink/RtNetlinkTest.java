package dev.jbcc.netlink;

import dev.jbcc.Collection;
import dev.jbcc.Program;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.TestNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The rtnetlink client against the kernel: devices, namespaces, qdiscs, filters, errors. */
@ExtendWith(FdLeakCheck.class)
class RtNetlinkTest {
    private static final String TC_PASS = """
            #include "vmlinux.h"
            #include <bpf/bpf_helpers.h>
            SEC("tc") int pass(struct __sk_buff *skb) { return 0; }
            char LICENSE[] SEC("license") = "GPL";
            """;

    private static int indexFromIpLink(String ipLinkOutput) {
        Matcher m = Pattern.compile("^(\\d+): ").matcher(ipLinkOutput);
        assertTrue(m.find(), ipLinkOutput);
        return Integer.parseInt(m.group(1));
    }

    @Test
    void devicesAreLookedUpInTheNamespaceTheClientWasOpenedIn() {
        try (TestNetwork net = TestNetwork.create(); RtNetlink host = RtNetlink.open();
             RtNetlink inside = RtNetlink.open(net.netns())) {
            NetDevice lo = host.device("lo");
            assertEquals("lo", lo.name());
            assertEquals(lo, host.device(lo.index()));

            NetDevice hostEnd = host.device(net.hostDevice());
            assertEquals(indexFromIpLink(net.hostLinkDetails()), hostEnd.index());
            assertTrue(hostEnd.isUp());
            assertEquals(XdpAttachment.NONE, hostEnd.xdp());

            // Used from this (host) thread, the inside client still answers for the namespace.
            NetDevice nsEnd = inside.device(net.nsDevice());
            assertEquals(indexFromIpLink(net.nsLinkDetails()), nsEnd.index());
            assertEquals(java.util.Set.of("lo", net.nsDevice()), inside.devices().stream().map(NetDevice::name).collect(java.util.stream.Collectors.toSet()));
            assertTrue(host.devices().stream().anyMatch(d -> d.name().equals(net.hostDevice())));

            var e = assertThrows(SyscallException.class, () -> host.device(net.nsDevice()));
            assertEquals(Errno.ENODEV, e.errno());
            assertTrue(e.getMessage().contains("'" + net.nsDevice() + "'"), e.getMessage());
            var byIndex = assertThrows(SyscallException.class, () -> inside.device(hostEnd.index() + 100_000));
            assertEquals(Errno.ENODEV, byIndex.errno());
        }
    }

    @Test
    void clsactQdiscIsAddedListedAndDeleted() {
        try (TestNetwork net = TestNetwork.create(); RtNetlink rtnl = RtNetlink.open(net.netns())) {
            NetDevice dev = rtnl.device(net.nsDevice());
            assertFalse(rtnl.hasClsact(dev));
            assertTrue(rtnl.addClsact(dev));
            assertFalse(rtnl.addClsact(dev), "a second add finds it there");
            assertTrue(rtnl.qdiscs(dev).contains(new Qdisc(dev.index(), "clsact", TcHandle.CLSACT_HANDLE, TcHandle.CLSACT)),
                    rtnl.qdiscs(dev).toString());
            assertTrue(net.nsQdiscs().contains("qdisc clsact ffff: parent ffff:fff1"), net.nsQdiscs());

            var exists = assertThrows(SyscallException.class,
                    () -> rtnl.addQdisc(dev, "clsact", TcHandle.CLSACT_HANDLE, TcHandle.CLSACT));
            assertEquals(Errno.EEXIST, exists.errno());
            assertTrue(exists.getMessage().contains("RTM_NEWQDISC clsact on " + net.nsDevice()), exists.getMessage());

            rtnl.deleteClsact(dev);
            assertFalse(rtnl.hasClsact(dev));
            assertFalse(net.nsQdiscs().contains("clsact"));
            var gone = assertThrows(SyscallException.class, () -> rtnl.deleteClsact(dev));
            assertTrue(gone.getMessage().contains("RTM_DELQDISC clsact on " + net.nsDevice()), gone.getMessage());
        }
    }

    @Test
    void bpfFiltersAreAddedListedAndDeletedWithTheKernelsReasonOnFailure() {
        try (TestNetwork net = TestNetwork.create(); RtNetlink rtnl = RtNetlink.open(net.netns());
             Collection c = Collection.load(ObjectReader.read(ClangCompiler.create().compile(TC_PASS).elf()))) {
            Program pass = c.program("pass");
            NetDevice dev = rtnl.device(net.nsDevice());
            BpfFilterSpec spec = BpfFilterSpec.directAction(pass.fd(), "jbcc_pass").withPriority(7).withHandle(3);

            var noQdisc = assertThrows(SyscallException.class, () -> rtnl.addBpfFilter(dev, TcHandle.INGRESS, spec));
            assertTrue(noQdisc.getMessage().contains(net.nsDevice()) && noQdisc.getMessage().contains("kernel says")
                    && noQdisc.getMessage().contains("clsact"), noQdisc.getMessage());

            assertTrue(rtnl.addClsact(dev));
            TcFilter added = rtnl.addBpfFilter(dev, TcHandle.INGRESS, spec);
            assertEquals(new TcFilter(dev.index(), TcHandle.INGRESS, "bpf", 7, TcHandle.ETH_P_ALL, 3, 0, "jbcc_pass",
                    pass.id(), true), added);
            assertEquals(List.of(added), rtnl.filters(dev, TcHandle.INGRESS));
            assertEquals(List.of(), rtnl.filters(dev, TcHandle.EGRESS));
            String shown = net.nsFilters("ingress");
            assertTrue(shown.contains("pref 7") && shown.contains("handle 0x3") && shown.contains("jbcc_pass")
                    && shown.contains("id " + pass.id()) && shown.contains("direct-action"), shown);

            var twice = assertThrows(SyscallException.class, () -> rtnl.addBpfFilter(dev, TcHandle.INGRESS, spec));
            assertEquals(Errno.EEXIST, twice.errno(), twice.getMessage());

            TcFilter ipOnly = rtnl.addBpfFilter(dev, TcHandle.EGRESS,
                    BpfFilterSpec.directAction(pass.fd(), "ip_only").withProtocol(TcHandle.ETH_P_IP).withClassId(1));
            assertEquals(TcHandle.ETH_P_IP, ipOnly.protocol());
            assertTrue(net.nsFilters("egress").contains("protocol ip") && net.nsFilters("egress").contains("flowid :1"),
                    net.nsFilters("egress"));

            rtnl.deleteFilter(dev, added);
            rtnl.deleteFilter(dev, ipOnly);
            assertEquals(List.of(), rtnl.filters(dev, TcHandle.INGRESS));
            assertTrue(net.nsFilters("ingress").isBlank() && net.nsFilters("egress").isBlank());
            rtnl.deleteClsact(dev);
        }
    }

    @Test
    void namespaceCallsRunInsideAndPassExceptionsThrough() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            NetNamespace ns = net.netns();
            String inside = ns.call(() -> java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self/ns/net")).toString());
            String here = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self/ns/net")).toString();
            assertNotEquals(here, inside, "the task ran in another network namespace");
            assertEquals(inside, ns.call(() -> ns.call(() -> java.nio.file.Files.readSymbolicLink(
                    java.nio.file.Path.of("/proc/thread-self/ns/net")).toString())), "a nested call runs in place");

            IOException checked = assertThrows(IOException.class, () -> ns.call(() -> { throw new IOException("boom"); }));
            assertEquals("boom", checked.getMessage());
            assertThrows(IllegalStateException.class, () -> ns.call(() -> { throw new IllegalStateException("x"); }));
        }
    }

    @Test
    void unknownNamespaceIsNamed() {
        var e = assertThrows(SyscallException.class, () -> NetNamespace.named("jbcc-no-such-netns"));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("'jbcc-no-such-netns'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NetNamespace.named("../x"));
    }

    @Test
    void aClosedNamespaceRefusesCalls() {
        try (TestNetwork net = TestNetwork.create()) {
            NetNamespace ns = NetNamespace.named(net.namespace());
            ns.close();
            ns.close();
            assertThrows(IllegalStateException.class, () -> ns.call(() -> 1));
        }
    }

    @Test
    void tcHandlesParseAndFormatLikeTc() {
        assertEquals(TcHandle.INGRESS, TcHandle.parse("ffff:fff2"));
        assertEquals(TcHandle.EGRESS, TcHandle.parse("egress"));
        assertEquals(TcHandle.make(1, 0), TcHandle.parse("1:"));
        assertEquals(1, TcHandle.parse(":1"));
        assertEquals("ffff:fff3", TcHandle.format(TcHandle.EGRESS));
        assertEquals("root", TcHandle.format(TcHandle.ROOT));
        assertThrows(IllegalArgumentException.class, () -> TcHandle.parse("10000:1"));
        assertThrows(IllegalArgumentException.class, () -> TcHandle.parse("zz"));
    }

    @Test
    void messagesRoundTripNestedAttributes() {
        try (Arena arena = Arena.ofConfined()) {
            Message m = new Message(arena.allocate(256, 8), Nl.RTM_SETLINK, Nl.NLM_F_REQUEST);
            m.ifinfomsg(9);
            int nest = m.nest(Nl.IFLA_XDP);
            m.u32(Nl.IFLA_XDP_FD, -1).u32(Nl.IFLA_XDP_FLAGS, 2);
            m.end(nest);
            m.string(Nl.IFLA_IFNAME, "veth0");
            MemorySegment bytes = m.seal(77);
            assertEquals(bytes.byteSize(), bytes.get(Nl.U32, Nl.HDR_LEN));
            assertEquals(77, bytes.get(Nl.U32, Nl.HDR_SEQ));
            MemorySegment body = bytes.asSlice(Nl.NLMSG_HDRLEN);
            assertEquals(9, body.get(Nl.U32, Nl.IFI_INDEX));
            Attributes attrs = Attributes.parse(body.asSlice(Nl.IFINFOMSG_LEN));
            assertEquals("veth0", attrs.string(Nl.IFLA_IFNAME));
            Attributes xdp = attrs.nested(Nl.IFLA_XDP);
            assertEquals(-1, xdp.u32(Nl.IFLA_XDP_FD, 0));
            assertEquals(2, xdp.u32(Nl.IFLA_XDP_FLAGS, 0));
            assertFalse(xdp.has(Nl.IFLA_XDP_EXPECTED_FD));
            assertFalse(attrs.nested(Nl.IFLA_MTU).has(1));
        }
    }
}
