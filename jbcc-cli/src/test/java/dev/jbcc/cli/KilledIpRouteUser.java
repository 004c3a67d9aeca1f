package dev.jbcc.cli;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.BpfFunction;
import dev.jbcc.bcc.IpRoute;
import dev.jbcc.testing.KilledChild;
import dev.jbcc.testing.TestNetwork;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM that attaches a TC program the pyroute2 way, through bcc's {@link IpRoute} (qdisc and
 * filter, as the seed's tc_drop_icmp example does), and is killed with SIGKILL before it deletes them.
 */
final class KilledIpRouteUser {
    private KilledIpRouteUser() {}

    /** The child: attaches tc_pass on ingress of the device {@code args[0]}, says "attached", and waits. */
    public static void main(String[] args) throws Exception {
        BPF b = BPF.fromText("int tc_pass(struct __sk_buff *skb) { return TC_ACT_OK; }");
        BpfFunction fn = b.loadFunc("tc_pass", BPF.SCHED_CLS);
        IpRoute ipr = IpRoute.open();
        int idx = ipr.linkLookup(args[0]);
        ipr.tc("add", "clsact", idx);
        ipr.tc("add-filter", "bpf", idx, ":1", IpRoute.filter().fd(fn.fd()).name(fn.name())
                .parent(IpRoute.INGRESS).classid(1).directAction(true));
        System.out.println("attached");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Runs the child in the test network's namespace and kills it once attached; returns its filter's name. */
    static String attachAndKill(TestNetwork net) throws Exception {
        KilledChild.Child child = KilledChild.run(List.of("ip", "netns", "exec", net.namespace()), KilledIpRouteUser.class,
                List.of(net.nsDevice()), c -> assertEquals("attached", c.firstLine()));
        String name = "tc_pass[jbcc:" + child.pid() + ":";
        String filters = net.nsFilters("ingress");
        assertTrue(filters.contains(name), "the filter is named with the dead process's mark and outlives it: " + filters);
        int start = filters.indexOf(name);
        return filters.substring(start, filters.indexOf(']', start) + 1);
    }
}
