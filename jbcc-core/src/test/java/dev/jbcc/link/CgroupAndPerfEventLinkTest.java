package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.errors.PinException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.internal.sys.Cpus;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.jbcc.link.TracingPrograms.get;
import static org.junit.jupiter.api.Assertions.*;

/**
 * cgroup programs on a child cgroup the test creates, fired by a child process placed in it that
 * sends one UDP datagram to this JVM over loopback; and perf_event programs sampling this JVM.
 */
@ExtendWith(FdLeakCheck.class)
class CgroupAndPerfEventLinkTest {
    static CollectionSpec spec;

    @BeforeAll
    static void compile() {
        spec = TracingPrograms.compile("events.bpf.c").withVariable("target_pid", TracingPrograms.pid());
    }

    /** A child cgroup of the cgroup v2 root, removed on close (it must be empty by then). */
    record TempCgroup(Path path) implements AutoCloseable {
        static TempCgroup create() throws IOException {
            Path dir = CgroupLink.cgroupV2Root().resolve("jbcc-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            Files.createDirectory(dir);
            return new TempCgroup(dir);
        }

        @Override
        public void close() throws IOException {
            Files.delete(path); // rmdir: the kernel refuses while a process is inside
        }
    }

    /**
     * Starts a shell in {@code cgroup} that sends one datagram to {@code port} on 127.0.0.1, and
     * waits for it here, so that the packet has left the child when this returns.
     */
    static void sendOneDatagramFrom(TempCgroup cgroup, DatagramSocket receiver, String payload) throws Exception {
        Process child = new ProcessBuilder("bash", "-c",
                "read go; echo -n '" + payload + "' > /dev/udp/127.0.0.1/" + receiver.getLocalPort()).start();
        try {
            // Move the child before it sends: it waits for a line on stdin.
            Files.writeString(cgroup.path().resolve("cgroup.procs"), Long.toString(child.pid()));
            try (OutputStream in = child.getOutputStream()) {
                in.write('\n');
            }
            var packet = new DatagramPacket(new byte[64], 64);
            receiver.receive(packet);
            assertEquals(payload, new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII));
            assertEquals(0, child.waitFor(), "the child sent its datagram");
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    static DatagramSocket receiver() throws IOException {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(30_000); // a bound so a broken kernel fails the test instead of hanging it
        return socket;
    }

    @Test
    void cgroupSkbEgressCountsTheChildsDatagramThroughALinkAndStopsAfterClose() throws Exception {
        try (Collection c = Collection.load(spec); TempCgroup cgroup = TempCgroup.create(); DatagramSocket rx = receiver()) {
            try (CgroupLink link = CgroupLink.attach(c.program("count_egress"), cgroup.path())) {
                assertEquals(CgroupLink.Mechanism.LINK, link.mechanism());
                assertEquals(dev.jbcc.spec.AttachType.CGROUP_INET_EGRESS, link.attachType());
                assertEquals(LinkType.CGROUP, link.rawLink().info().type());
                sendOneDatagramFrom(cgroup, rx, "jbcc-cgroup");
                assertEquals(1, get(c, "egress_packets"), "one datagram left the cgroup");
                // IPv4 (20) + UDP (8) + payload
                assertEquals(20 + 8 + "jbcc-cgroup".length(), get(c, "egress_bytes"));
            }
            sendOneDatagramFrom(cgroup, rx, "after-close");
            assertEquals(1, get(c, "egress_packets"), "nothing counts once the link is closed");
        }
    }

    @Test
    void cgroupSockCreateThroughProgAttachIsDetachedOnClose() throws Exception {
        try (Collection c = Collection.load(spec); TempCgroup cgroup = TempCgroup.create(); DatagramSocket rx = receiver()) {
            var options = CgroupOptions.of(cgroup.path()).withMethod(CgroupOptions.Method.PROG_ATTACH);
            try (CgroupLink link = CgroupLink.attach(c.program("count_sock_create"), options)) {
                assertEquals(CgroupLink.Mechanism.PROG_ATTACH, link.mechanism());
                assertNull(link.rawLink());
                sendOneDatagramFrom(cgroup, rx, "sock");
                assertEquals(1, get(c, "sockets_created"), "bash made one UDP socket in the cgroup");
                assertThrows(PinException.class, () -> link.pin(Path.of("/sys/fs/bpf/never")));
            }
            sendOneDatagramFrom(cgroup, rx, "sock2");
            assertEquals(1, get(c, "sockets_created"), "BPF_PROG_DETACH ran on close");
        }
    }

    @Test
    void cgroupErrorsNameTheProblem() throws Exception {
        try (Collection c = Collection.load(spec)) {
            var missing = assertThrows(NotFoundException.class,
                    () -> CgroupLink.attach(c.program("count_egress"), Path.of("/sys/fs/cgroup/no-such-cgroup-jbcc")));
            assertTrue(missing.getMessage().contains("no-such-cgroup-jbcc"), missing.getMessage());
            var type = assertThrows(IllegalArgumentException.class,
                    () -> CgroupLink.attach(c.program("count_sample"), CgroupLink.cgroupV2Root()));
            assertTrue(type.getMessage().contains("PERF_EVENT"), type.getMessage());
            var auto = assertThrows(IllegalArgumentException.class, () -> Links.attach(c.program("count_egress")));
            assertTrue(auto.getMessage().contains("CgroupLink"), auto.getMessage());
        }
    }

    /** Burns CPU in this JVM until the counter moves, within a bound on work done (not a time assertion). */
    static long spinUntilSampled(Collection c, long from) {
        long x = 0;
        for (int round = 0; round < 200 && get(c, "samples") == from; round++) {
            for (int i = 0; i < 5_000_000; i++) x += i * 31L ^ (x >>> 3);
        }
        return x;
    }

    @Test
    void softwareCpuClockSamplesThisJvmOnEveryCpuAndStopsAfterClose() {
        try (Collection c = Collection.load(spec)) {
            var options = PerfEventOptions.software(PerfEventOptions.SoftwareEvent.CPU_CLOCK).withSampleFrequency(1000);
            try (PerfEventLink link = PerfEventLink.attach(c.program("count_sample"), options)) {
                assertEquals(Cpus.online().length, link.eventCount(), "one perf event per online CPU");
                assertEquals(link.eventCount(), link.rawLinks().size());
                assertEquals(LinkType.PERF_EVENT, link.rawLinks().getFirst().info().type());
                spinUntilSampled(c, 0);
                assertTrue(get(c, "samples") > 0, "busy work in this JVM was sampled");
                assertThrows(PinException.class, () -> link.pin(Path.of("/sys/fs/bpf/never")),
                        "several links cannot share one pin");
            }
            long afterClose = get(c, "samples");
            long sink = 0;
            for (int i = 0; i < 50_000_000; i++) sink += i ^ (sink >>> 7);
            assertEquals(afterClose, get(c, "samples"), "no samples once closed (busy sum " + sink + ")");
        }
    }

    @Test
    void softwareEventOfOneThreadWithAPeriod() {
        try (Collection c = Collection.load(spec)) {
            var options = PerfEventOptions.software(PerfEventOptions.SoftwareEvent.TASK_CLOCK)
                    .withSamplePeriod(1_000_000).withThread(TracingPrograms.tid()); // every 1 ms of this thread's CPU time
            try (PerfEventLink link = PerfEventLink.attach(c.program("count_sample"), options)) {
                assertEquals(1, link.eventCount(), "one event follows the thread on any CPU");
                spinUntilSampled(c, 0);
                assertTrue(get(c, "samples") > 0);
            }
        }
    }

    @Test
    void hardwareEventsWorkWhereThereIsAPmuAndOtherwiseSayWhatToUse() {
        boolean hardwarePmu = Files.exists(Path.of("/sys/bus/event_source/devices/cpu"));
        try (Collection c = Collection.load(spec)) {
            var options = PerfEventOptions.hardware(PerfEventOptions.HardwareEvent.CPU_CYCLES).withSampleFrequency(1000);
            if (hardwarePmu) {
                try (PerfEventLink link = PerfEventLink.attach(c.program("count_sample"), options)) {
                    spinUntilSampled(c, 0);
                    assertTrue(get(c, "samples") > 0, "cycles were sampled");
                }
            } else {
                var e = assertThrows(UnsupportedFeatureException.class,
                        () -> PerfEventLink.attach(c.program("count_sample"), options));
                assertTrue(e.getMessage().contains("CPU_CYCLES"), e.getMessage());
                assertTrue(e.getMessage().contains("SoftwareEvent.CPU_CLOCK"), e.getMessage());
            }
        }
    }
}
