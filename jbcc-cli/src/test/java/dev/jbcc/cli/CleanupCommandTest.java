package dev.jbcc.cli;

import dev.jbcc.link.TcKillTest;
import dev.jbcc.link.XdpKillTest;
import dev.jbcc.testing.TestNetwork;
import dev.jbcc.trace.KilledReader;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jbcc cleanup} in a network namespace where a killed jbcc process left a TC filter. */
class CleanupCommandTest {

    @Test
    void removesWhatAKilledProcessLeft() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String name = TcKillTest.attachAndKill(net);
            assertTrue(net.nsFilters("ingress").contains(name), net.nsFilters("ingress"));

            CliTest.Run r = net.netns().call(() -> CliTest.jbcc("cleanup"));
            assertEquals(0, r.status(), r.err());
            // Tracing instances are not per namespace: another test's leftover may be removed too.
            assertEquals("removed " + name + " from " + net.nsDevice() + " ingress\nremoved 1 filter\n",
                    r.out().replaceAll("removed tracing instance .*\n", "").replaceAll(", \\d+ tracing instances?", ""), r.out());
            assertTrue(net.nsFilters("ingress").isBlank(), net.nsFilters("ingress"));
            assertTrue(net.pingFromHost(1).allAnswered());

            CliTest.Run again = net.netns().call(() -> CliTest.jbcc("cleanup"));
            assertEquals("nothing to clean up\n", again.out());
        }
    }

    @Test
    void removesTheFilterAKilledIpRouteUserLeft() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String name = KilledIpRouteUser.attachAndKill(net);
            CliTest.Run r = net.netns().call(() -> CliTest.jbcc("cleanup"));
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("removed " + name + " from " + net.nsDevice() + " ingress\n"), r.out());
            assertTrue(net.nsFilters("ingress").isBlank(), net.nsFilters("ingress"));
        }
    }

    @Test
    void detachesTheXdpProgramAKilledProcessAttachedThroughNetlink() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            int id = XdpKillTest.attachAndKill(net);
            CliTest.Run r = net.netns().call(() -> CliTest.jbcc("cleanup"));
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("removed XDP program " + id + " from " + net.nsDevice() + " (generic)\n"), r.out());
            assertTrue(r.out().matches("(?s).*\nremoved 1 XDP program(, \\d+ tracing instances?)?\n"), r.out());
            assertTrue(net.pingFromHost(1).allAnswered());
        }
    }

    @Test
    void removesTheTracingInstanceOfAKilledProcess() throws Exception {
        Path left = KilledReader.openAndKill();
        CliTest.Run r = CliTest.jbcc("cleanup");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("removed tracing instance " + left + "\n"), r.out());
        assertTrue(r.out().matches("(?s).*\nremoved (\\d+ filters?, )?\\d+ tracing instances?\n"), r.out());
        assertFalse(Files.exists(left));
    }
}
