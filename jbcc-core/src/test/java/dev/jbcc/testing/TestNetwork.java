package dev.jbcc.testing;

import dev.jbcc.netlink.NetNamespace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private test network: a fresh network namespace and a veth pair, one end ({@link #hostDevice()},
 * 10.199.X.1/24) in the host namespace and the other ({@link #nsDevice()}, 10.199.X.2/24) inside
 * the namespace, both up. X is a /24 no host address uses yet. Made with {@code ip} from iproute2
 * (test code only); {@link #close()} deletes the veth pair and the namespace and checks they are
 * gone, and a failure half-way through creation removes what was made.
 */
public final class TestNetwork implements AutoCloseable {
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    private final String id;
    private final int subnet;
    private NetNamespace netns;
    private boolean closed;

    private TestNetwork(String id, int subnet) {
        this.id = id;
        this.subnet = subnet;
    }

    /** Creates the namespace and the veth pair. */
    public static TestNetwork create() {
        String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
        TestNetwork net = new TestNetwork(id, freeSubnet());
        try {
            ip("netns", "add", net.namespace());
            ip("link", "add", net.hostDevice(), "type", "veth", "peer", "name", net.nsDevice(), "netns", net.namespace());
            ip("addr", "add", net.hostAddress() + "/24", "dev", net.hostDevice());
            ip("link", "set", net.hostDevice(), "up");
            ip("-n", net.namespace(), "addr", "add", net.nsAddress() + "/24", "dev", net.nsDevice());
            ip("-n", net.namespace(), "link", "set", net.nsDevice(), "up");
            ip("-n", net.namespace(), "link", "set", "lo", "up");
            return net;
        } catch (RuntimeException e) {
            try {
                net.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static int freeSubnet() {
        Set<Integer> used = new HashSet<>();
        Matcher m = Pattern.compile("inet 10\\.199\\.(\\d+)\\.").matcher(run("ip", "-4", "-o", "addr", "show"));
        while (m.find()) used.add(Integer.parseInt(m.group(1)));
        int start = ThreadLocalRandom.current().nextInt(1, 255);
        for (int i = 0; i < 254; i++) {
            int x = 1 + (start - 1 + i) % 254;
            if (!used.contains(x)) return x;
        }
        throw new IllegalStateException("every 10.199.X.0/24 is in use on this host");
    }

    /** The namespace's name (under /var/run/netns). */
    public String namespace() {
        return "jbcc-" + id;
    }

    /** The veth end in the host namespace. */
    public String hostDevice() {
        return "jbh" + id;
    }

    /** The veth end inside the namespace. */
    public String nsDevice() {
        return "jbn" + id;
    }

    public String hostAddress() {
        return "10.199." + subnet + ".1";
    }

    public String nsAddress() {
        return "10.199." + subnet + ".2";
    }

    /** The namespace, entered through jbcc's {@link NetNamespace}; closed with this network. */
    public synchronized NetNamespace netns() {
        if (netns == null) netns = NetNamespace.named(namespace());
        return netns;
    }

    /** What {@code ping} reported. */
    public record Ping(int transmitted, int received, int exitCode, String output) {
        public boolean allLost() {
            return received == 0 && exitCode != 0;
        }

        public boolean allAnswered() {
            return received == transmitted && exitCode == 0;
        }
    }

    /** Pings the namespace end from the host: {@code ping -c count -W 1 -i 0.2}. */
    public Ping pingFromHost(int count) {
        List<String> cmd = List.of("ping", "-n", "-q", "-c", Integer.toString(count), "-W", "1", "-i", "0.2", nsAddress());
        Result r = exec(cmd);
        Matcher m = PING_SUMMARY.matcher(r.output);
        if (!m.find()) throw new IllegalStateException("unexpected ping output: " + r.output);
        return new Ping(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), r.exitCode, r.output);
    }

    /** {@code ip -d link show DEV} of the host end. */
    public String hostLinkDetails() {
        return run("ip", "-d", "link", "show", hostDevice());
    }

    /** {@code ip -d link show DEV} of the namespace end. */
    public String nsLinkDetails() {
        return run("ip", "-n", namespace(), "-d", "link", "show", nsDevice());
    }

    /** {@code tc qdisc show dev DEV} of the namespace end. */
    public String nsQdiscs() {
        return run("tc", "-n", namespace(), "qdisc", "show", "dev", nsDevice());
    }

    /** {@code tc filter show dev DEV PARENT} of the namespace end ("ingress" or "egress"). */
    public String nsFilters(String parent) {
        return run("tc", "-n", namespace(), "filter", "show", "dev", nsDevice(), parent);
    }

    /** Runs {@code ip ARGS...}, failing with its output on a non-zero exit. */
    public static String ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    private record Result(int exitCode, String output) {}

    /** Runs a command, failing with its output on a non-zero exit. */
    public static String run(String... cmd) {
        Result r = exec(List.of(cmd));
        if (r.exitCode != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + r.exitCode + ": " + r.output);
        }
        return r.output;
    }

    private static Result exec(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not end within 60 s");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + cmd, e);
        }
    }

    /**
     * Deletes the veth pair (explicitly: something still holding the namespace would keep it
     * alive) and the namespace, then checks that neither is listed any more. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (netns != null) netns.close();
        List<String> problems = new ArrayList<>();
        if (exec(List.of("ip", "-n", namespace(), "link", "show", nsDevice())).exitCode == 0) {
            Result r = exec(List.of("ip", "-n", namespace(), "link", "del", nsDevice()));
            if (r.exitCode != 0) problems.add("ip link del " + nsDevice() + ": " + r.output);
        }
        if (exec(List.of("ip", "link", "show", hostDevice())).exitCode == 0) {
            Result r = exec(List.of("ip", "link", "del", hostDevice()));
            if (r.exitCode != 0) problems.add("ip link del " + hostDevice() + ": " + r.output);
        }
        if (exec(List.of("ip", "netns", "list")).output.contains(namespace())) {
            Result r = exec(List.of("ip", "netns", "del", namespace()));
            if (r.exitCode != 0) problems.add("ip netns del " + namespace() + ": " + r.output);
        }
        if (exec(List.of("ip", "netns", "list")).output.contains(namespace())) {
            problems.add("namespace " + namespace() + " is still listed");
        }
        if (exec(List.of("ip", "link", "show", hostDevice())).exitCode == 0) {
            problems.add("device " + hostDevice() + " still exists");
        }
        if (!problems.isEmpty()) throw new IllegalStateException("test network not fully removed: " + problems);
    }

    @Override
    public String toString() {
        return "TestNetwork[" + namespace() + ": " + hostDevice() + " " + hostAddress() + " <-> " + nsDevice() + " "
                + nsAddress() + "]";
    }
}
