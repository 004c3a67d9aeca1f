package dev.jbcc.bcc;

import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.features.Features;
import dev.jbcc.link.KprobeLink;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.RequiresKprobes;
import dev.jbcc.testing.TestNetwork;
import dev.jbcc.trace.TraceEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed document's five programs, unchanged, driven from Java the way its Python drives them.
 */
@ExtendWith(FdLeakCheck.class)
class BpfSeedProgramsTest {

    /** xdp.py: attach_xdp(device, fn=b.load_func("xdp_drop_icmp", BPF.XDP)), dropcnt, remove_xdp(device). */
    @Test
    void xdpDropsPingAndCountsUntilRemoved() throws Exception {
        try (TestNetwork net = TestNetwork.create(); BPF b = BPF.fromFile(Seeds.file("xdp_drop_icmp.c"))) {
            String device = net.nsDevice();
            net.netns().run(() -> { b.attachXdp(device, b.loadFunc("xdp_drop_icmp", BPF.XDP), 0); return null; });
            assertTrue(net.nsLinkDetails().contains("xdp"), net.nsLinkDetails());
            HashTable dropcnt = b.getTable("dropcnt");

            TestNetwork.Ping first = net.pingFromHost(3);
            assertTrue(first.allLost(), first.output());
            long afterFirst = dropcnt.get(1).value();
            assertTrue(afterFirst >= first.transmitted(), "dropcnt[1] = " + afterFirst + " after " + first.transmitted() + " pings");
            TestNetwork.Ping second = net.pingFromHost(2);
            assertTrue(second.allLost(), second.output());
            assertEquals(afterFirst + second.transmitted(), dropcnt.get(1).value(), "one count per dropped echo request");
            assertEquals(List.of(1L), dropcnt.keys().stream().map(Value::value).toList(), "only ICMP is counted");

            net.netns().run(() -> { b.removeXdp(device, 0); return null; });
            assertFalse(net.nsLinkDetails().contains("prog/xdp"), net.nsLinkDetails());
            assertTrue(net.pingFromHost(2).allAnswered());
        }
    }

    /** tc.py: ipr.tc("add", "clsact", idx); ipr.tc("add-filter", "bpf", idx, ":1", ..., parent="ffff:ffff2", ...). */
    @Test
    void tcDropsPingOnIngressUntilTheQdiscIsDeleted() throws Exception {
        try (TestNetwork net = TestNetwork.create(); BPF b = BPF.builder().file(Seeds.file("tc_drop_icmp.c")).debug(0).build()) {
            String device = net.nsDevice();
            String qdiscsBefore = net.nsQdiscs();
            BpfFunction fn = b.loadFunc("tc_drop_icmp", BPF.SCHED_CLS);
            String ingress = "ffff:ffff2"; // the seed's spelling, which pyroute2 reads as ffff:fff2
            try (IpRoute ipr = net.netns().call(IpRoute::open)) {
                int idx = ipr.linkLookup(device);
                ipr.tc("add", "clsact", idx);
                try {
                    ipr.tc("add-filter", "bpf", idx, ":1", IpRoute.filter().fd(fn.fd()).name(fn.name()).parent(ingress)
                            .classid(1).directAction(true));
                    assertTrue(net.nsFilters("ingress").contains("tc_drop_icmp"), net.nsFilters("ingress"));
                    HashTable dropcnt = b.getTable("dropcnt");
                    TestNetwork.Ping ping = net.pingFromHost(3);
                    assertTrue(ping.allLost(), ping.output());
                    long count = dropcnt.get(1).value();
                    assertTrue(count >= ping.transmitted(), "dropcnt[1] = " + count);
                    dropcnt.clear();
                    TestNetwork.Ping again = net.pingFromHost(2);
                    assertTrue(again.allLost(), again.output());
                    assertEquals(again.transmitted(), dropcnt.get(1).value(), "counted afresh after clear()");
                } finally {
                    ipr.tc("del", "clsact", idx);
                }
            }
            assertTrue(net.pingFromHost(2).allAnswered());
            assertEquals(qdiscsBefore, net.nsQdiscs(), "the device is as it was");
        }
    }

    @Test
    void ingressHandleSpellings() {
        assertEquals(0xFFFFFFF2, IpRoute.parseHandle("ffff:ffff2"));
        assertEquals(0xFFFFFFF2, IpRoute.parseHandle(IpRoute.INGRESS));
        assertEquals(0xFFFFFFF3, IpRoute.parseHandle("ffff:ffff3"));
        assertEquals(1, IpRoute.parseHandle(":1"));
    }

    /** A clsact qdisc added through b.ipRoute() and not deleted goes away with the BPF. */
    @Test
    void closeRemovesWhatItAttached() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String qdiscsBefore = net.nsQdiscs();
            BPF b = BPF.fromFile(Seeds.file("tc_drop_icmp.c"));
            try {
                BpfFunction fn = b.loadFunc("tc_drop_icmp", BPF.SCHED_CLS);
                IpRoute ipr = net.netns().call(b::ipRoute);
                int idx = ipr.linkLookup(net.nsDevice());
                ipr.tc("add", "clsact", idx);
                ipr.tc("add-filter", "bpf", idx, ":1", IpRoute.filter().fd(fn.fd()).name(fn.name()).parent(IpRoute.INGRESS)
                        .directAction(true));
                BPF xdp = BPF.fromFile(Seeds.file("xdp_drop_icmp.c"));
                try {
                    net.netns().run(() -> { xdp.attachXdp(net.nsDevice(), "xdp_drop_icmp", 0); return null; });
                } finally {
                    xdp.close();
                }
                assertFalse(net.nsLinkDetails().contains("prog/xdp"), "XDP detached by close(): " + net.nsLinkDetails());
                assertTrue(net.nsQdiscs().contains("clsact"));
            } finally {
                b.close();
                b.close(); // idempotent
            }
            assertEquals(qdiscsBefore, net.nsQdiscs(), "close() deleted the clsact qdisc it added");
            assertTrue(net.pingFromHost(2).allAnswered());
            assertThrows(IllegalStateException.class, () -> b.get("dropcnt"));
        }
    }

    /** trace_clone.py: BPF(text=...) attaches TRACEPOINT_PROBE(syscalls, sys_enter_clone) by itself; trace_print. */
    @Test
    void traceCloneTracepointPrintsParentTidptr() throws Exception {
        try (BPF b = BPF.fromFile(Seeds.file("trace_clone.c"))) {
            assertEquals(1, b.numOpenTracepoints());
            Optional<TraceEvent> seen = Optional.empty();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            List<String> other = new ArrayList<>();
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                // bash forks each command but the last with fork(), which glibc makes a clone(2) (dash would vfork).
                Process p = new ProcessBuilder("/bin/bash", "-c", "/bin/true; /bin/true").start();
                long shPid = p.pid();
                p.waitFor();
                for (Optional<TraceEvent> e = b.traceFields(Duration.ofMillis(500)); e.isPresent();
                     e = b.traceFields(Duration.ofMillis(100))) {
                    if (e.get().pid() == shPid && e.get().message().matches("-?\\d+")) {
                        seen = e;
                        break;
                    }
                    other.add(e.get().toString());
                }
            }
            assertTrue(seen.isPresent(), "no bpf_trace_printk line from the forking shell; saw " + other);
            assertTrue(BccTestSupport.isCommOf("bash", seen.get()), seen.get().toString());
        }
    }

    /**
     * hello_fields.py: attach_kprobe(event=b.get_syscall_fnname("clone"), fn_name="hello"). Where
     * the kernel has kprobes a fork prints the greeting; without, the error names CONFIG_KPROBES
     * and the clone syscall's tracepoint.
     */
    @Test
    void helloFieldsKprobeOrTheClearError() throws Exception {
        try (BPF b = BPF.fromFile(Seeds.file("hello_fields.c"))) {
            String event = b.getSyscallFnName("clone");
            assertTrue(event.endsWith("sys_clone"), event);
            if (!Features.haveKprobes()) {
                var e = assertThrows(UnsupportedFeatureException.class, () -> b.attachKprobe(event, "hello"));
                assertTrue(e.getMessage().contains("CONFIG_KPROBES"), e.getMessage());
                assertTrue(e.getMessage().contains("syscalls:sys_enter_clone"), e.getMessage());
                return;
            }
            b.attachKprobe(event, "hello");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            boolean greeted = false;
            while (!greeted && System.nanoTime() < deadline) {
                new ProcessBuilder("/bin/bash", "-c", "/bin/true; /bin/true").start().waitFor();
                for (String line = b.traceReadline(Duration.ofMillis(500)); line != null && !greeted;
                     line = b.traceReadline(Duration.ofMillis(100))) {
                    greeted = line.contains("Hello, World!");
                }
            }
            assertTrue(greeted, "no 'Hello, World!' line after forks");
        }
    }

    /**
     * hello_fields.py, all of it: attach_kprobe(event=b.get_syscall_fnname("clone"), fn_name="hello"),
     * then trace_fields() until a line comes. A shell the test starts forks (bash forks every
     * command but the last with clone(2)): its line has the greeting, bash as the task, its pid.
     */
    @Test
    @RequiresKprobes
    void helloFieldsTraceFieldsShowTheGreetingOfAForkingProcess() throws Exception {
        try (BPF b = BPF.fromFile(Seeds.file("hello_fields.c"))) {
            KprobeLink link = b.attachKprobe(b.getSyscallFnName("clone"), "hello");
            assertEquals(1, b.numOpenKprobes());
            assertTrue(link.toString().contains("sys_clone"), link.toString());
            Optional<TraceEvent> seen = Optional.empty();
            List<String> other = new ArrayList<>();
            long shPid = -1;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Process p = new ProcessBuilder("/bin/bash", "-c", "/bin/true; /bin/true").start();
                shPid = p.pid();
                assertEquals(0, p.waitFor());
                for (Optional<TraceEvent> e = b.traceFields(Duration.ofSeconds(2)); e.isPresent();
                     e = b.traceFields(Duration.ofMillis(200))) {
                    if (e.get().pid() == shPid) {
                        seen = e;
                        break;
                    }
                    other.add(e.get().toString());
                }
            }
            assertTrue(seen.isPresent(), "no trace line from the forking shell " + shPid + "; saw " + other);
            TraceEvent hello = seen.get();
            // The seed's C keeps the Python source's "\\n": a backslash and an n in C, printed as they are.
            assertEquals("Hello, World!\\n", hello.message());
            assertTrue(BccTestSupport.isCommOf("bash", hello), hello.toString());
            assertTrue(hello.cpu() >= 0 && hello.timestamp() > 0, hello.toString());
        }
    }

    /** tcp-v4-connect.py: kprobe + kretprobe on tcp_v4_connect, events decoded as struct data_t. */
    @Test
    @RequiresKprobes
    void tcpv4connectReportsConnections() throws Exception {
        try (BPF b = BPF.fromFile(Seeds.file("tcpv4connect.c"));
             var server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            b.attachKprobe("tcp_v4_connect", "tcp_connect");
            b.attachKretprobe("tcp_v4_connect", "tcp_connect_ret");
            PerfEventArray events = b.get("events");
            List<Value> seen = new ArrayList<>();
            events.openPerfBuffer((cpu, data, size) -> seen.add(events.event(data)));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()));
            } catch (IOException e) {
                throw new AssertionError("connect over loopback failed", e);
            }
            long pid = ProcessHandle.current().pid();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (seen.stream().noneMatch(v -> v.getLong("dport") == server.getLocalPort()) && System.nanoTime() < deadline) {
                b.perfBufferPoll(200);
            }
            Value mine = seen.stream().filter(v -> v.getLong("dport") == server.getLocalPort()).findFirst()
                    .orElseThrow(() -> new AssertionError("no event for port " + server.getLocalPort() + ": " + seen));
            assertEquals(0x0100007FL, mine.getLong("daddr"), "127.0.0.1 in network order");
            assertEquals(0x0100007FL, mine.getLong("saddr"));
            assertTrue(mine.getLong("pid") > 0);
            assertFalse(mine.getString("comm").isEmpty());
            assertTrue(ProcessHandle.of(pid).isPresent());
        }
    }
}
