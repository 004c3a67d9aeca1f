package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.netlink.NetNamespace;
import dev.jbcc.testing.TestNetwork;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 while an XDP program is attached the default way: the bpf_link goes with the process, so
 * the device is left as it was (a netlink attachment, bcc's way, would stay on it).
 */
class XdpKillTest {

    /** The child: attaches xdp_drop_icmp to the device named, says so, and waits to be killed. */
    public static void main(String[] args) throws Exception {
        Collection c = NetPrograms.load();
        XdpLink link = XdpLink.attach(c.program("xdp_drop_icmp"), args[0]);
        System.out.println("attached " + (link.isBpfLink() ? "bpf_link" : "netlink") + " " + link.programId());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void killMinusNineLeavesNoXdpProgramAttached() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            NetNamespace ns = net.netns();
            Path err = Files.createTempFile("xdp-kill", ".err");
            Process child = new ProcessBuilder(List.of("ip", "netns", "exec", net.namespace(),
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), XdpKillTest.class.getName(), net.nsDevice()))
                    .redirectError(err.toFile()).start();
            try {
                String line = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)).readLine();
                assertTrue(line != null && line.startsWith("attached bpf_link "), line + "\n" + Files.readString(err));
                int programId = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
                assertEquals(programId, ns.call(() -> XdpLink.query(net.nsDevice())).driverProgramId(), "attached (veth: native)");
                assertTrue(net.pingFromHost(1).allLost(), "dropping pings");

                child.destroyForcibly(); // SIGKILL: no close(), no shutdown hook
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                assertEquals(137, child.exitValue(), "killed by SIGKILL");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ns.call(() -> XdpLink.query(net.nsDevice())).attached() && System.nanoTime() < deadline) Thread.sleep(50);
                assertFalse(ns.call(() -> XdpLink.query(net.nsDevice())).attached(), net.nsLinkDetails());
                assertTrue(net.pingFromHost(1).allAnswered(), "pings answered again");
            } finally {
                child.destroyForcibly();
                child.waitFor();
                Files.deleteIfExists(err);
            }
        }
    }
}
