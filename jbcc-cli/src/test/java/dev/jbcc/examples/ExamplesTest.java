package dev.jbcc.examples;

import dev.jbcc.testing.TestNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The bcc-style examples beyond the seed's (a log2 histogram, a per-CPU array, ring buffer
 * output, a socket filter), each run as a user runs it; the test causes the events after the
 * example says it is attached and checks the output carries them.
 */
@Tag("examples") // the VM suite runs only those that need kprobes, fentry or LSM: see scripts/vmtest
class ExamplesTest {
    private static final Duration ATTACH = Duration.ofMinutes(3); // a cold clang compile under TCG is slow
    private static final Duration EVENT = Duration.ofSeconds(60);
    /** A log2 histogram row as bcc prints it: "  low -> high  : count  |stars|". */
    private static final Pattern HISTOGRAM_ROW = Pattern.compile("\\s*(\\d+) -> (\\d+)\\s+: (\\d+)\\s+\\|\\**\\s*\\|");

    /**
     * A bash, run by {@code launcher} (e.g. taskset), that waits for a line on its standard input and
     * then becomes {@code command} (same pid): the test knows the pid before the example starts and
     * says when the work begins.
     */
    private static Process waitingShell(List<String> launcher, String command) throws Exception {
        List<String> argv = new ArrayList<>(launcher);
        argv.addAll(List.of("/bin/bash", "-c", "read line; exec " + command));
        return new ProcessBuilder(argv).redirectErrorStream(true).start();
    }

    private static void release(Process shell) throws Exception {
        try (OutputStream in = shell.getOutputStream()) {
            in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals(0, shell.waitFor(), () -> "the shell failed: " + output(shell));
    }

    private static String output(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /**
     * ReadLatency -p PID: the histogram counts every read(2) of that process (dd reading one byte at
     * a time) and none of another one's, and is printed in bcc's log2 layout when the example is stopped.
     */
    @Test
    void readLatencyHistogramCountsTheTracedProcessReads() throws Exception {
        int reads = 300, otherReads = 2000;
        Process traced = waitingShell(List.of(), "dd if=/dev/zero of=/dev/null bs=1 count=" + reads + " status=none");
        try (ExampleProcess example = ExampleProcess.start("ReadLatency.java", "-p", Long.toString(traced.pid()), "600")) {
            example.awaitLine("Tracing read() latency", ATTACH);
            Process other = new ProcessBuilder("dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=" + otherReads, "status=none").start();
            assertEquals(0, other.waitFor());
            release(traced);
            List<String> lines = example.interrupt(EVENT);
            int header = lines.indexOf(lines.stream().filter(l -> l.matches("\\s+usecs\\s+: count\\s+distribution")).findFirst()
                    .orElseGet(() -> fail("no histogram header in " + lines)));
            long total = 0, expectedLow = 0;
            for (String row : lines.subList(header + 1, lines.size())) {
                Matcher m = HISTOGRAM_ROW.matcher(row);
                assertTrue(m.matches(), "not a histogram row: " + row);
                // Consecutive power-of-two buckets: 0 -> 1, 2 -> 3, 4 -> 7, ...
                assertEquals(expectedLow, Long.parseLong(m.group(1)), row);
                expectedLow = Long.parseLong(m.group(2)) + 1;
                total += Long.parseLong(m.group(3));
            }
            // dd's reads, plus the few of bash and the dynamic loader; the other dd's are filtered out.
            assertTrue(total >= reads && total < reads + otherReads, total + " reads counted\n" + String.join("\n", lines));
        } finally {
            traced.destroyForcibly();
        }
    }

    /** The highest-numbered online CPU (from "0-1" or "0,2-3"). */
    private static int lastOnlineCpu() throws Exception {
        String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
        String last = online.substring(Math.max(online.lastIndexOf(','), online.lastIndexOf('-')) + 1);
        return Integer.parseInt(last);
    }

    /**
     * SyscallCountPerCpu -p PID: a process pinned to one CPU makes its syscalls there, so that CPU's
     * count covers dd's reads and writes, every other CPU's is zero, and "all" is the sum.
     */
    @Test
    void syscallCountPerCpuCountsOnTheCpuTheProcessRanOn() throws Exception {
        int bytes = 300;
        int cpu = lastOnlineCpu();
        Process traced = waitingShell(List.of("taskset", "-c", Integer.toString(cpu)),
                "dd if=/dev/zero of=/dev/null bs=1 count=" + bytes + " status=none");
        try (ExampleProcess example = ExampleProcess.start("SyscallCountPerCpu.java", "-p", Long.toString(traced.pid()), "600")) {
            example.awaitLine("Counting syscalls per CPU", ATTACH);
            release(traced);
            List<String> lines = example.interrupt(EVENT);
            Map<String, Long> counts = new TreeMap<>();
            Pattern row = Pattern.compile("(\\d+|all)\\s+(\\d+)");
            for (String line : lines) {
                Matcher m = row.matcher(line);
                if (m.matches()) counts.put(m.group(1), Long.parseLong(m.group(2)));
            }
            assertTrue(counts.containsKey("all") && counts.containsKey(Integer.toString(cpu)), "no per-CPU table in " + lines);
            long onCpu = counts.get(Integer.toString(cpu));
            assertTrue(onCpu >= 2L * bytes, "CPU " + cpu + " counted " + onCpu + " syscalls for " + bytes + " reads and writes");
            long sum = 0;
            for (var e : counts.entrySet()) {
                if (e.getKey().equals("all")) continue;
                if (!e.getKey().equals(Integer.toString(cpu))) assertEquals(0L, e.getValue(), "CPU " + e.getKey() + ": " + lines);
                sum += e.getValue();
            }
            assertEquals(sum, counts.get("all"), "all = the sum over CPUs: " + lines);
        } finally {
            traced.destroyForcibly();
        }
    }

    /**
     * ExecSnoopRingBuf: an execve of the test's own script is reported with the child's pid, the
     * test's pid as parent and the script's path (reserve/submit); an execve of a missing file is
     * reported and then reported failed with -ENOENT (ringbuf_output).
     */
    @Test
    void execSnoopRingBufReportsExecsAndFailures(@TempDir Path dir) throws Exception {
        String unique = "jbcc-exec-" + UUID.randomUUID();
        Path script = Files.writeString(dir.resolve(unique + ".sh"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Path missing = dir.resolve(unique + "-missing");
        String self = Long.toString(ProcessHandle.current().pid());
        try (ExampleProcess example = ExampleProcess.start("ExecSnoopRingBuf.java", "600")) {
            example.awaitLine("Tracing execve()", ATTACH);
            Process ran = new ProcessBuilder(script.toString()).start();
            assertEquals(0, ran.waitFor());
            Process failed = new ProcessBuilder("/bin/bash", "-c", "exec " + missing).start();
            assertEquals(127, failed.waitFor(), "bash: no such file");

            // PID PPID COMM FILENAME
            String exec = example.awaitLine(l -> l.endsWith(" " + script), EVENT);
            String[] f = exec.trim().split("\\s+");
            assertEquals(List.of(Long.toString(ran.pid()), self), List.of(f[0], f[1]), "the child, run by this JVM: " + exec);
            String attempt = example.awaitLine(l -> l.endsWith(" " + missing), EVENT);
            String[] a = attempt.trim().split("\\s+");
            assertEquals(List.of(Long.toString(failed.pid()), self, "bash"), List.of(a[0], a[1], a[2]), attempt);
            String failure = example.awaitLine(l -> l.startsWith(failed.pid() + " ") && l.contains("execve failed"), EVENT);
            assertTrue(failure.matches(failed.pid() + "\\s+" + self + "\\s+bash\\s+execve failed: -2"), "ENOENT: " + failure);
        }
    }

    /**
     * SocketFilter on a namespace's device: ping still works (a socket filter only chooses what the
     * socket sees), every echo request and reply is printed, a UDP datagram is counted but not
     * captured, and the per-protocol counts cover what the test sent.
     */
    @Test
    void socketFilterCapturesIcmpAndCountsProtocols() throws Exception {
        try (TestNetwork net = TestNetwork.create();
             ExampleProcess example = ExampleProcess.startInNamespace(net.namespace(), "SocketFilter.java", net.nsDevice(), "600")) {
            example.awaitLine("Capturing ICMP on " + net.nsDevice(), ATTACH);
            TestNetwork.Ping ping = net.pingFromHost(3);
            assertTrue(ping.allAnswered(), ping.output());
            for (int seq = 1; seq <= ping.transmitted(); seq++) {
                String suffix = ", seq " + seq;
                example.awaitLine(l -> l.startsWith(net.hostAddress() + " > " + net.nsAddress() + ": ICMP echo request, id ")
                        && l.endsWith(suffix), EVENT);
                example.awaitLine(l -> l.startsWith(net.nsAddress() + " > " + net.hostAddress() + ": ICMP echo reply, id ")
                        && l.endsWith(suffix), EVENT);
            }
            try (DatagramSocket udp = new DatagramSocket()) {
                byte[] payload = "jbcc".getBytes(StandardCharsets.US_ASCII);
                udp.send(new DatagramPacket(payload, payload.length, InetAddress.getByName(net.nsAddress()), 9));
            }
            // Nothing listens on port 9: the namespace answers with ICMP, which is captured; the datagram is not.
            example.awaitLine(net.nsAddress() + " > " + net.hostAddress() + ": ICMP destination unreachable", EVENT);
            List<String> lines = example.interrupt(EVENT);
            Pattern captured = Pattern.compile("[\\d.]+ > [\\d.]+: ICMP (echo request|echo reply|destination unreachable).*");
            int table = lines.indexOf("PROTOCOL   PACKETS");
            assertTrue(table > 0, "no protocol table in " + lines);
            for (String l : lines.subList(1, table)) {
                if (!l.isEmpty()) assertTrue(captured.matcher(l).matches(), "only ICMP reaches the socket: " + l);
            }
            Map<String, Long> counts = new TreeMap<>();
            for (String l : lines.subList(table + 1, lines.size())) {
                String[] f = l.trim().split("\\s+");
                counts.put(f[0], Long.parseLong(f[1]));
            }
            assertTrue(counts.getOrDefault("ICMP", 0L) >= 2L * ping.transmitted() + 1, "echo requests, replies, unreachable: " + counts);
            assertTrue(counts.getOrDefault("UDP", 0L) >= 1, "the datagram: " + counts);
        }
    }
}
