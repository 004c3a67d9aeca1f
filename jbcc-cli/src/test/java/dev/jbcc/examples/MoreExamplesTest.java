package dev.jbcc.examples;

import dev.jbcc.errors.Errno;
import dev.jbcc.testing.HostKernelOnly;
import dev.jbcc.testing.RequiresFentry;
import dev.jbcc.testing.TestNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * More of the repository's bcc-style examples, each run as a user runs it: the test waits for the
 * example's "attached" line, causes the events itself, then asserts the lines they produce carry
 * what it caused (its pid, its file name, its port ...).
 */
@Tag("examples") // the VM suite runs only those that need kprobes, fentry or LSM: see scripts/vmtest
class MoreExamplesTest {
    private static final Duration ATTACH = Duration.ofMinutes(3); // a cold clang compile under TCG is slow
    private static final Duration EVENT = Duration.ofSeconds(60);

    /** The columns of a line of an example that prints a table: split on runs of blanks. */
    static String[] columns(String line, int limit) {
        return line.trim().split("\\s+", limit);
    }

    /**
     * Runs {@code action} every 200 ms on a thread of its own until closed: on a busy machine a
     * system-wide tracer may drop a burst of events (it says "Possibly lost"), so a test repeats
     * what it does until the example shows it once.
     */
    static final class Repeating implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;
        private volatile Exception failure;

        Repeating(ThrowingRunnable action) {
            thread = Thread.ofPlatform().daemon().name("repeating").start(() -> {
                try {
                    // A flag, not an interrupt: an interrupt would also break the action's own I/O.
                    while (!stop) {
                        action.run();
                        Thread.sleep(200);
                    }
                } catch (Exception e) {
                    failure = e;
                }
            });
        }

        /** Stops repeating; fails if an action threw. */
        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
            if (failure != null) throw new AssertionError("the repeated action failed", failure);
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void openSnoopShowsTheFilesThisTestOpens(@TempDir Path dir) throws Exception {
        Path present = dir.resolve("opensnoop-" + UUID.randomUUID());
        Files.writeString(present, "x");
        Path missing = dir.resolve("opensnoop-missing-" + UUID.randomUUID());
        Set<String> catPids = ConcurrentHashMap.newKeySet();
        try (ExampleProcess example = ExampleProcess.start("OpenSnoop.java", "20")) {
            example.awaitLine("Tracing openat()", ATTACH);
            String[] mine, cats;
            try (var opens = new Repeating(() -> {
                Files.readString(present); // this JVM: open(2) is openat(2) in glibc
                Process cat = new ProcessBuilder("cat", missing.toString()).start();
                catPids.add(Long.toString(cat.pid()));
                cat.waitFor();
            })) {
                mine = columns(example.awaitLine(l -> l.endsWith(" " + present), EVENT), 5);
                cats = columns(example.awaitLine(l -> l.endsWith(" " + missing), EVENT), 5);
            }
            assertEquals(Long.toString(ProcessHandle.current().pid()), mine[0], String.join(" ", mine));
            assertTrue(Integer.parseInt(mine[2]) >= 0, "an fd: " + String.join(" ", mine));
            assertEquals("0", mine[3], String.join(" ", mine));

            assertTrue(catPids.contains(cats[0]), String.join(" ", cats) + " is not one of our cats " + catPids);
            assertEquals("cat", cats[1]);
            assertEquals("-1", cats[2]);
            assertEquals(Integer.toString(Errno.ENOENT), cats[3]);
            example.finish(Duration.ofSeconds(60));
        }
    }

    /** {@code getent ahosts localhost}: a getaddrinfo() call answered from /etc/hosts, no network. */
    private static Process getent() throws Exception {
        return new ProcessBuilder("getent", "ahosts", "localhost").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void getHostLatencyTimesTheLookupsOfTheGivenProcessOnly() throws Exception {
        // A shell that waits for a line, then becomes getent (exec keeps its pid): the pid to trace.
        Process traced = new ProcessBuilder("bash", "-c", "read go; exec getent ahosts localhost")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (ExampleProcess example = ExampleProcess.start("GetHostLatency.java", "15", Long.toString(traced.pid()))) {
            example.awaitLine("Tracing getaddrinfo()", ATTACH);
            Process other = getent(); // another process: the pid filter leaves it out
            other.waitFor();
            traced.getOutputStream().write("go\n".getBytes());
            traced.getOutputStream().close();
            assertEquals(0, traced.waitFor());
            String[] line = columns(example.awaitLine(l -> l.endsWith(" localhost"), EVENT), 5);
            assertEquals(Long.toString(traced.pid()), line[1], String.join(" ", line));
            assertEquals("getent", line[2]);
            assertTrue(Double.parseDouble(line[3]) >= 0, String.join(" ", line));
            List<String> all = example.finish(Duration.ofSeconds(60));
            assertTrue(all.stream().noneMatch(l -> l.contains(" " + other.pid() + " ")), "pid " + other.pid() + " was not traced:\n" + all);
        } finally {
            traced.destroyForcibly();
        }
    }

    @Test
    void getHostLatencyWithoutAPidSeesEveryProcess() throws Exception {
        Set<String> pids = ConcurrentHashMap.newKeySet();
        try (ExampleProcess example = ExampleProcess.start("GetHostLatency.java", "15")) {
            example.awaitLine("Tracing getaddrinfo()", ATTACH);
            String[] line;
            try (var lookups = new Repeating(() -> {
                Process p = getent();
                pids.add(Long.toString(p.pid()));
                p.waitFor();
            })) {
                line = columns(example.awaitLine(l -> l.endsWith(" localhost") && l.contains(" getent "), EVENT), 5);
            }
            assertTrue(pids.contains(line[1]), String.join(" ", line) + " is not one of our getents " + pids);
            example.finish(Duration.ofSeconds(60));
        }
    }

    @Test
    void tcpStatesFollowsALoopbackConnectionThroughItsStates() throws Exception {
        int port, clientPort;
        String pid = Long.toString(ProcessHandle.current().pid());
        try (ExampleProcess example = ExampleProcess.start("TcpStates.java", "15")) {
            example.awaitLine("Tracing TCP state changes", ATTACH);
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = server.getLocalPort();
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port); Socket accepted = server.accept()) {
                    clientPort = client.getLocalPort();
                    client.close(); // the client closes first: FIN_WAIT1 on its side, CLOSE_WAIT on the server's
                    assertEquals(-1, accepted.getInputStream().read());
                }
            }
            List<String> lines = example.finish(Duration.ofSeconds(60));
            // The columns: SKADDR C-PID C-COMM LADDR LPORT RADDR RPORT OLD -> NEW MS (changes come from every CPU, unordered).
            Predicate<String[]> listener = c -> c[4].equals(Integer.toString(port)) && c[6].equals("0");
            Predicate<String[]> clientSide = c -> c[6].equals(Integer.toString(port));
            Predicate<String[]> serverSide = c -> c[4].equals(Integer.toString(port)) && c[6].equals(Integer.toString(clientPort));
            String[] listen = change(lines, listener, "CLOSE", "LISTEN");
            assertEquals(pid, listen[1], "listen() runs in this process");
            assertEquals("127.0.0.1", listen[3]);
            String[] synSent = change(lines, clientSide, "CLOSE", "SYN_SENT");
            assertEquals(pid, synSent[1], "connect() runs in this process");
            String[] established = change(lines, clientSide, "SYN_SENT", "ESTABLISHED");
            assertEquals(synSent[0], established[0], "the same socket");
            assertEquals(Integer.toString(clientPort), established[4]);
            assertEquals("127.0.0.1", established[5]);
            change(lines, clientSide, "ESTABLISHED", "FIN_WAIT1");
            change(lines, serverSide, "SYN_RECV", "ESTABLISHED");
            change(lines, serverSide, "ESTABLISHED", "CLOSE_WAIT");
            change(lines, listener, "LISTEN", "CLOSE");
        }
    }

    /** The line of a {@code from -> to} change of the sockets {@code which} selects. */
    private static String[] change(List<String> lines, Predicate<String[]> which, String from, String to) {
        return lines.stream().filter(l -> l.contains(" -> ")).map(l -> columns(l, 11))
                .filter(c -> c.length == 11 && which.test(c) && c[7].equals(from) && c[9].equals(to))
                .findFirst().orElseGet(() -> fail("no " + from + " -> " + to + " line:\n" + String.join("\n", lines)));
    }

    /** One stack of StackCount's output: frames innermost first, the process, the count. */
    record CountedStack(List<String> frames, String comm, long pid, long count) {}

    static List<CountedStack> countedStacks(List<String> lines) {
        List<CountedStack> out = new ArrayList<>();
        List<String> frames = new ArrayList<>();
        String process = null;
        for (String line : lines) {
            if (line.isBlank()) {
                frames.clear();
                process = null;
            } else if (line.startsWith("    ") && process == null) {
                process = line.trim();
            } else if (line.startsWith("    ")) {
                Matcher m = Pattern.compile("(.*) \\[(\\d+)]").matcher(process);
                assertTrue(m.matches(), process);
                out.add(new CountedStack(List.copyOf(frames), m.group(1), Long.parseLong(m.group(2)), Long.parseLong(line.trim())));
            } else if (line.startsWith("  ")) {
                frames.add(line.trim());
            }
        }
        return out;
    }

    @Test
    void stackCountShowsTheKernelStacksOfThisTestsForks() throws Exception {
        int forks = 5;
        try (ExampleProcess example = ExampleProcess.start("StackCount.java", "12")) {
            example.awaitLine("Tracing sched:sched_process_fork", ATTACH);
            for (int i = 0; i < forks; i++) {
                assertEquals(0, new ProcessBuilder("true").start().waitFor());
            }
            List<CountedStack> stacks = countedStacks(example.finish(Duration.ofSeconds(60)));
            long pid = ProcessHandle.current().pid();
            List<CountedStack> mine = stacks.stream().filter(s -> s.pid() == pid).toList();
            // Each fork is at least one sched_process_fork in this process (this JVM's new threads are more).
            assertTrue(mine.stream().mapToLong(CountedStack::count).sum() >= forks, "fewer than " + forks + " forks: " + mine);
            // Every way to make a task (fork, vfork, clone, clone3) goes through kernel_clone() (Linux 5.10 on),
            // which raises the tracepoint from copy_process's caller: it is on each of these stacks.
            // (A stack the map could not take, e.g. on a hash bucket collision, prints as "[Missed Kernel Stack]".)
            List<CountedStack> taken = mine.stream().filter(s -> !s.frames().contains("[Missed Kernel Stack]")).toList();
            assertFalse(taken.isEmpty(), "no stack of this process was taken: " + mine);
            for (CountedStack s : taken) {
                assertTrue(s.frames().contains("kernel_clone"), "a fork's stack without kernel_clone: " + s);
            }
        }
    }

    /** XdpPrefixFilter's closing table: prefix -> packets dropped. */
    static Map<String, Long> droppedByPrefix(List<String> lines) {
        Map<String, Long> out = new LinkedHashMap<>();
        boolean table = false;
        for (String line : lines) {
            if (line.startsWith("PREFIX")) table = true;
            else if (table && !line.isBlank()) out.put(columns(line, 2)[0], Long.parseLong(columns(line, 2)[1]));
        }
        return out;
    }

    @Test
    void xdpPrefixFilterDropsByLongestMatchingPrefix() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String subnet = net.nsAddress().substring(0, net.nsAddress().lastIndexOf('.'));
            String wide = subnet + ".0/24", exact = net.nsAddress() + "/32", elsewhere = "192.0.2.0/24";
            // On the host end: the namespace's echo replies come in from nsAddress, in both prefixes.
            try (ExampleProcess example = ExampleProcess.start("XdpPrefixFilter.java", net.hostDevice(), "12", wide, exact, elsewhere)) {
                example.awaitLine("Dropping packets from", ATTACH);
                TestNetwork.Ping ping = net.pingFromHost(4);
                assertTrue(ping.allLost(), ping.output());
                Map<String, Long> dropped = droppedByPrefix(example.finish(Duration.ofSeconds(60)));
                assertTrue(dropped.get(exact) >= ping.transmitted(), "the /32 is the longest match: " + dropped);
                assertEquals(0, dropped.get(wide), "the /24 is shorter: " + dropped);
                assertEquals(0, dropped.get(elsewhere), dropped.toString());
            }
            assertTrue(net.pingFromHost(2).allAnswered(), "the XDP program is gone with the example");

            String otherHalf = subnet + ".128/25"; // nsAddress is .2: not in it
            try (ExampleProcess example = ExampleProcess.start("XdpPrefixFilter.java", net.hostDevice(), "8", otherHalf)) {
                example.awaitLine("Dropping packets from", ATTACH);
                TestNetwork.Ping ping = net.pingFromHost(3);
                assertTrue(ping.allAnswered(), ping.output());
                assertEquals(Map.of(otherHalf, 0L), droppedByPrefix(example.finish(Duration.ofSeconds(60))));
            }
        }
    }

    @Test
    @RequiresFentry
    void kfuncUnlinkShowsTheFilesThisTestRemoves(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kfuncunlink-" + UUID.randomUUID());
        Path missing = dir.resolve("kfuncunlink-missing-" + UUID.randomUUID());
        try (ExampleProcess example = ExampleProcess.start("KfuncUnlink.java", "20")) {
            example.awaitLine("Tracing do_unlinkat()", ATTACH);
            Files.writeString(file, "x");
            Files.delete(file); // unlink(2) with the absolute path: do_unlinkat() gets that name
            Process unlink = new ProcessBuilder("unlink", missing.toString()).start();
            assertEquals(1, unlink.waitFor(), "unlink of a missing file fails");
            // The columns: PID COMM RET LATms NAME
            String[] mine = columns(example.awaitLine(l -> l.endsWith(" " + file), EVENT), 5);
            assertEquals(Long.toString(ProcessHandle.current().pid()), mine[0], String.join(" ", mine));
            assertEquals("0", mine[2], String.join(" ", mine));
            assertTrue(Double.parseDouble(mine[3]) >= 0, String.join(" ", mine));
            String[] failed = columns(example.awaitLine(l -> l.endsWith(" " + missing), EVENT), 5);
            assertEquals(Long.toString(unlink.pid()), failed[0], String.join(" ", failed));
            assertEquals("unlink", failed[1]);
            assertEquals(Integer.toString(-Errno.ENOENT), failed[2], "fexit sees do_unlinkat's -ENOENT");
            example.finish(Duration.ofMinutes(2));
        }
    }

    @Test
    @HostKernelOnly("a kernel that refuses fentry/fexit loads, as this 6.18 host does")
    void kfuncUnlinkSaysWhyWhereFentryIsRefused() {
        try (ExampleProcess example = ExampleProcess.start("KfuncUnlink.java", "5")) {
            assertEquals(1, example.exitStatus(ATTACH), example.transcript());
            String err = example.stderr();
            assertTrue(err.startsWith("KfuncUnlink: ") && err.contains("BPF_PROG_LOAD: EPERM"), err);
            assertFalse(err.contains("\tat ") || err.contains("Exception"), "one message, no stack trace: " + err);
            assertTrue(err.contains("kfunc__do_unlinkat"), "names the program: " + err);
            assertTrue(err.contains("refuse fentry/fexit/LSM programs"), "says why: " + err);
        }
    }

    /** A JVM that, given a line on its standard input, starts and joins a thread named by its argument. */
    private static final String THREAD_STARTER = """
            void main(String[] args) throws Exception {
                System.out.println("ready");
                new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
                Thread t = Thread.ofPlatform().name(args[0]).start(() -> {});
                t.join();
                System.out.println("started " + t.threadId());
            }
            """;

    @Test
    void usdtJvmThreadsShowsTheThreadAnotherJvmStarts(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("ThreadStarter.java");
        Files.writeString(source, THREAD_STARTER);
        String name = "jbcc-" + Long.toHexString(System.nanoTime()); // a thread name no other JVM uses
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), source.toString(), name)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
             ExampleProcess example = ExampleProcess.start("UsdtJvmThreads.java", Long.toString(jvm.pid()), "15")) {
            assertEquals("ready", out.readLine());
            example.awaitLine("Tracing thread events of JVM " + jvm.pid(), ATTACH);
            jvm.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
            jvm.getOutputStream().flush();
            String started = out.readLine();
            assertTrue(started != null && started.startsWith("started "), started);
            String javaId = started.substring("started ".length());
            assertEquals(0, jvm.waitFor());

            // The columns: PID TID JAVA-ID EVENT NAME
            String[] start = columns(example.awaitLine(l -> l.endsWith(" start   " + name), EVENT), 5);
            assertEquals(Long.toString(jvm.pid()), start[0]);
            assertEquals(javaId, start[2], "argument 3 is the Java thread id the child printed");
            assertNotEquals(start[0], start[1], "argument 4 is the new thread's own native id");
            String[] stop = columns(example.awaitLine(l -> l.endsWith(" stop    " + name), EVENT), 5);
            assertEquals(start[1], stop[1], "the same thread stops");
            assertEquals(javaId, stop[2]);
            example.finish(Duration.ofSeconds(60));
        } finally {
            jvm.destroyForcibly();
        }
    }
}
