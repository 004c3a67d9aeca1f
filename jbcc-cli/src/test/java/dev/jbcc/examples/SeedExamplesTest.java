package dev.jbcc.examples;

import dev.jbcc.testing.HostKernelOnly;
import dev.jbcc.testing.RequiresKprobes;
import dev.jbcc.testing.TestNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The seed document's five programs as the repository's Java examples, each run as a user runs it:
 * once with the example's own C text and once with the seed's C file, unchanged.
 */
@Tag("examples") // the VM suite runs only those that need kprobes, fentry or LSM: see scripts/vmtest
class SeedExamplesTest {
    private static final Duration ATTACH = Duration.ofMinutes(3); // a cold clang compile under TCG is slow
    private static final Duration EVENT = Duration.ofSeconds(60);
    /** "HH:MM:SS 1: N pkt/s, T in all" from XdpDropIcmp and TcDropIcmp. */
    private static final Pattern ICMP_DROPS = Pattern.compile("\\d\\d:\\d\\d:\\d\\d 1: (\\d+) pkt/s, (\\d+) in all");

    /** The seed's text, unchanged, from shared/acceptance/seed-programs beside the repository. */
    static Path seedProgram(String name) {
        for (Path dir = ExampleProcess.examplesDirectory().getParent(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared/acceptance/seed-programs").resolve(name);
            if (Files.isRegularFile(candidate)) return candidate;
        }
        return fail("seed program " + name + " is not in shared/acceptance/seed-programs beside the repository");
    }

    /** The example's arguments: {@code leading}, then the seed's C file when {@code program} is given. */
    private static String[] arguments(Path program, String... leading) {
        List<String> args = new ArrayList<>(List.of(leading));
        if (program != null) args.add(program.toString());
        return args.toArray(String[]::new);
    }

    /** A bash that forks once: it runs its first command with fork(), which glibc makes a clone(2). */
    private static long forkingBash() throws Exception {
        Process p = new ProcessBuilder("/bin/bash", "-c", "/bin/true; /bin/true").start();
        assertEquals(0, p.waitFor());
        return p.pid();
    }

    @Test
    void traceClonePrintsALinePerClone() throws Exception {
        for (Path program : new Path[] {null, seedProgram("trace_clone.c")}) {
            try (ExampleProcess example = ExampleProcess.start("TraceClone.java", arguments(program, "20"))) {
                example.awaitLine("Tracing clone()", ATTACH);
                long pid = forkingBash();
                String line = example.awaitLine(l -> l.contains("-" + pid + " ") && l.matches(".*bpf_trace_printk: -?\\d+$"),
                        Duration.ofSeconds(30));
                // trace_pipe shows the task as "<...>" when the kernel's comm cache has no name for the pid.
                assertTrue(line.contains("bash-" + pid) || line.contains("<...>-" + pid), line);
            }
        }
    }

    /** hello_fields.py: a kprobe on the clone syscall's function prints "Hello, World!" when a process forks. */
    @Test
    @RequiresKprobes
    void helloFieldsGreetsTheForkingProcess() throws Exception {
        for (Path program : new Path[] {null, seedProgram("hello_fields.c")}) {
            try (ExampleProcess example = ExampleProcess.start("HelloFields.java", arguments(program, "600"))) {
                example.awaitLine("Tracing clone()", ATTACH);
                String pid = Long.toString(forkingBash());
                // TIME(s) COMM PID MESSAGE
                String line = example.awaitLine(l -> {
                    String[] f = l.trim().split("\\s+", 4);
                    return f.length == 4 && f[2].equals(pid);
                }, EVENT);
                String[] fields = line.trim().split("\\s+", 4);
                // trace_pipe shows "<...>" when the comm is no longer in the kernel's saved_cmdlines cache.
                assertTrue(fields[1].equals("bash") || fields[1].equals("<...>"), line);
                assertTrue(fields[3].startsWith("Hello, World!"), line);
                assertTrue(fields[0].matches("\\d+\\.\\d{9}"), "a timestamp in seconds: " + line);
            }
        }
    }

    /** Without kprobes, hello_fields ends with jbcc's one-line error naming CONFIG_KPROBES and the clone tracepoint. */
    @Test
    @HostKernelOnly("a kernel built without kprobes: the 6.18 host (the VM's 6.1 has them)")
    void helloFieldsSaysTheKernelLacksKprobes() {
        for (Path program : new Path[] {null, seedProgram("hello_fields.c")}) {
            try (ExampleProcess example = ExampleProcess.start("HelloFields.java", arguments(program, "600"))) {
                assertNotEquals(0, example.exitStatus(ATTACH), example.transcript());
                String stderr = example.stderr();
                assertTrue(stderr.startsWith("HelloFields" + ": kprobes (the kernel lacks CONFIG_KPROBES)"), stderr);
                assertEquals(1, stderr.lines().count(), "one line, no stack trace: " + stderr);
                assertTrue(stderr.contains("sys_clone cannot be attached"), stderr);
                assertTrue(stderr.contains("syscalls:sys_enter_clone"), "names the tracepoint to use instead: " + stderr);
            }
        }
    }

    /** tcp-v4-connect.py: a connect() over IPv4 prints its PID, COMM, addresses and port. */
    @Test
    @RequiresKprobes
    void tcpv4connectReportsTheConnectingProcess() throws Exception {
        for (Path program : new Path[] {null, seedProgram("tcpv4connect.c")}) {
            try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
                 ExampleProcess example = ExampleProcess.start("TcpV4Connect.java", arguments(program, "600"))) {
                example.awaitLine("Tracing IPv4 connect()", ATTACH);
                String port = Integer.toString(server.getLocalPort());
                // bash is single-threaded, so the thread id the program reports is its pid.
                Process p = new ProcessBuilder("/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port).start();
                assertEquals(0, p.waitFor(), "connect to the test's listening socket");
                String pid = Long.toString(p.pid());
                // PID COMM SADDR DADDR DPORT
                String line = example.awaitLine(l -> {
                    String[] f = l.trim().split("\\s+");
                    return f.length == 5 && f[0].equals(pid);
                }, EVENT);
                String[] fields = line.trim().split("\\s+");
                assertEquals(List.of(pid, "bash", "127.0.0.1", "127.0.0.1", port), List.of(fields), line);
            }
        }
    }

    /** Without kprobes, tcpv4connect ends with jbcc's error naming CONFIG_KPROBES and tcp_v4_connect. */
    @Test
    @HostKernelOnly("a kernel built without kprobes: the 6.18 host (the VM's 6.1 has them)")
    void tcpv4connectSaysTheKernelLacksKprobes() {
        for (Path program : new Path[] {null, seedProgram("tcpv4connect.c")}) {
            try (ExampleProcess example = ExampleProcess.start("TcpV4Connect.java", arguments(program, "600"))) {
                assertNotEquals(0, example.exitStatus(ATTACH), example.transcript());
                String stderr = example.stderr();
                assertTrue(stderr.startsWith("TcpV4Connect" + ": kprobes (the kernel lacks CONFIG_KPROBES)"), stderr);
                assertEquals(1, stderr.lines().count(), "one line, no stack trace: " + stderr);
                assertTrue(stderr.contains("kprobe tcp_v4_connect cannot be attached"), stderr);
            }
        }
    }

    /**
     * Waits for a drop-count line whose total is at least {@code atLeast}; checks that its rate is
     * positive (lines are printed only for seconds with drops) and returns the total.
     */
    private static long awaitDropTotal(ExampleProcess example, long atLeast) {
        String line = example.awaitLine(l -> {
            Matcher m = ICMP_DROPS.matcher(l);
            return m.matches() && Long.parseLong(m.group(2)) >= atLeast;
        }, EVENT);
        Matcher m = ICMP_DROPS.matcher(line);
        assertTrue(m.matches() && Long.parseLong(m.group(1)) > 0, line);
        return Long.parseLong(m.group(2));
    }

    /**
     * xdp.py, in a network namespace: while the example runs, ping to its device is dropped and the
     * ICMP drop count it prints grows by the pings sent; once it exits the device is as it was and
     * ping is answered. The example's own text is stopped as by Ctrl-C, the seed's runs out its time.
     */
    @Test
    void xdpDropIcmpDropsPingUntilItExits() throws Exception {
        for (Path program : new Path[] {null, seedProgram("xdp_drop_icmp.c")}) {
            try (TestNetwork net = TestNetwork.create()) {
                String device = net.nsDevice();
                String before = net.nsLinkDetails();
                String seconds = program == null ? "600" : "15";
                try (ExampleProcess example = ExampleProcess.startInNamespace(net.namespace(), "XdpDropIcmp.java",
                        arguments(program, device, seconds))) {
                    example.awaitLine("Dropping ICMP on " + device, ATTACH);
                    assertTrue(net.nsLinkDetails().contains("prog/xdp"), net.nsLinkDetails());
                    TestNetwork.Ping first = net.pingFromHost(3);
                    assertTrue(first.allLost(), first.output());
                    long total = awaitDropTotal(example, first.transmitted());
                    TestNetwork.Ping second = net.pingFromHost(2);
                    assertTrue(second.allLost(), second.output());
                    awaitDropTotal(example, total + second.transmitted());
                    if (program == null) example.interrupt(EVENT);
                    else example.finish(EVENT);
                }
                assertEquals(before, net.nsLinkDetails(), "the device is as it was");
                TestNetwork.Ping after = net.pingFromHost(2);
                assertTrue(after.allAnswered(), after.output());
            }
        }
    }

    /**
     * tc.py, in a network namespace: the filter sits on the device's clsact ingress while the example
     * runs, ping is dropped and counted; once it exits the qdiscs are as they were and ping is answered.
     */
    @Test
    void tcDropIcmpDropsPingUntilItExits() throws Exception {
        for (Path program : new Path[] {null, seedProgram("tc_drop_icmp.c")}) {
            try (TestNetwork net = TestNetwork.create()) {
                String device = net.nsDevice();
                String qdiscsBefore = net.nsQdiscs();
                String linkBefore = net.nsLinkDetails();
                assertFalse(qdiscsBefore.contains("clsact"), qdiscsBefore);
                String seconds = program == null ? "600" : "15";
                try (ExampleProcess example = ExampleProcess.startInNamespace(net.namespace(), "TcDropIcmp.java",
                        arguments(program, device, seconds))) {
                    example.awaitLine("Dropping ICMP on " + device + " ingress", ATTACH);
                    String filters = net.nsFilters("ingress");
                    assertTrue(filters.contains("tc_drop_icmp") && filters.contains("direct-action"), filters);
                    TestNetwork.Ping first = net.pingFromHost(3);
                    assertTrue(first.allLost(), first.output());
                    long total = awaitDropTotal(example, first.transmitted());
                    TestNetwork.Ping second = net.pingFromHost(2);
                    assertTrue(second.allLost(), second.output());
                    awaitDropTotal(example, total + second.transmitted());
                    if (program == null) example.interrupt(EVENT);
                    else example.finish(EVENT);
                }
                assertEquals(qdiscsBefore, net.nsQdiscs(), "the clsact qdisc is gone");
                assertEquals(linkBefore, net.nsLinkDetails(), "the device is as it was");
                TestNetwork.Ping after = net.pingFromHost(2);
                assertTrue(after.allAnswered(), after.output());
            }
        }
    }
}
