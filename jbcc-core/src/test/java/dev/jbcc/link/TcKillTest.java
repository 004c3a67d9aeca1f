package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.netlink.NetNamespace;
import dev.jbcc.netlink.TcFilter;
import dev.jbcc.testing.TestNetwork;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 while a TC filter is attached through netlink: the filter stays (as with bcc), named
 * with the dead process's pid, and the next attach on the device, or {@code jbcc cleanup}
 * ({@link TcLink#removeLeftovers}), removes it. A live process's filter is left alone.
 */
public class TcKillTest {

    /** The child: attaches tc_drop_icmp on ingress of the device named, says so, and waits to be killed. */
    public static void main(String[] args) throws Exception {
        Collection c = NetPrograms.load();
        TcLink link = TcLink.attach(c.program("tc_drop_icmp"), args[0], TcDirection.INGRESS);
        System.out.println("attached " + link.filter().bpfName());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Starts the child in the test network's namespace and kills it with SIGKILL once attached; returns the filter's name. */
    public static String attachAndKill(TestNetwork net) throws Exception {
        Process child = new ProcessBuilder(List.of("ip", "netns", "exec", net.namespace(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), TcKillTest.class.getName(), net.nsDevice()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(line != null && line.startsWith("attached tc_drop_icmp[jbcc:" + child.pid() + ":"), line);
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            return line.substring("attached ".length());
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void whatAKilledProcessLeftIsRemovedAndALiveOnesFilterStays() throws Exception {
        try (TestNetwork net = TestNetwork.create(); Collection c = NetPrograms.load()) {
            NetNamespace ns = net.netns();
            String name = attachAndKill(net);
            assertTrue(net.nsFilters("ingress").contains(name), "netlink's filter outlives the process: " + net.nsFilters("ingress"));
            assertTrue(net.pingFromHost(1).allLost(), "and still drops pings");

            try (TcLink mine = ns.call(() -> TcLink.attach(c.program("tc_drop_icmp"), net.nsDevice(), TcDirection.EGRESS))) {
                // attaching on the device removed the dead process's filter, and only that
                assertTrue(!net.nsFilters("ingress").contains(name), net.nsFilters("ingress"));
                assertTrue(net.nsFilters("egress").contains(mine.filter().bpfName()), net.nsFilters("egress"));
                List<TcFilter> removed = ns.call(() -> TcLink.removeLeftovers(net.nsDevice()));
                assertEquals(List.of(), removed, "a live process's filter stays");
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
