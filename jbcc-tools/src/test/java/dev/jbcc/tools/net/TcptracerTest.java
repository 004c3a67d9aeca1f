package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tcptracer on connections the test opens to a port of its own on the loopback, accepts and closes. */
class TcptracerTest {
    @Test
    void connectAcceptAndBothCloses() throws Exception {
        long pid = ProcessHandle.current().pid();
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcptracer", "-4", "-p", Long.toString(pid))) {
                assertEquals("T  PID    COMM             IP SADDR            DADDR            SPORT  DPORT ", run.lines().getFirst());
                int clientPort;
                String comm;
                try (Net.Connected c = Net.connect(server)) {
                    clientPort = c.localPort();
                    comm = Net.comm(c.tid());
                }
                // SADDR DADDR SPORT DPORT are the event's socket's own end first
                List<String> connect = row(run, "C", port, clientPort, port);
                List<String> accept = row(run, "A", port, port, clientPort);
                List<String> clientClose = row(run, "X", port, clientPort, port);
                List<String> serverClose = row(run, "X", port, port, clientPort);
                for (List<String> r : List.of(connect, accept, clientClose, serverClose)) {
                    assertEquals(pid, Long.parseLong(r.get(1)), r.toString());
                    assertEquals(comm, r.get(2), r.toString());
                    assertEquals(List.of("4", "127.0.0.1", "127.0.0.1"), r.subList(3, 6), r.toString());
                }
                List<String> lines = run.lines();
                assertTrue(order(lines, connect) < order(lines, clientClose) && order(lines, accept) < order(lines, serverClose), lines.toString());
                assertEquals(0, run.stop(Runs.READY), run.errors());
            }
        }
    }

    /** Java's own sockets are IPv6 ones: a connection to 127.0.0.1 has IPv4-mapped addresses. */
    @Test
    void ipv6JsonWithNetnsAndTypeNames() throws Exception {
        long netns = Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString().replaceAll("\\D", ""));
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(Net.LOOPBACK, 0));
            int port = server.getLocalPort();
            try (ToolRun run = Runs.started("tcptracer", "--json", "-v", "-t", "-6", "-N", Long.toString(netns))) {
                int clientPort;
                try (Socket client = new Socket(Net.LOOPBACK, port); Socket accepted = server.accept()) {
                    clientPort = client.getLocalPort();
                    try (OutputStream o = client.getOutputStream(); InputStream i = accepted.getInputStream()) {
                        o.write(42);
                        assertEquals(42, i.read());
                    }
                }
                JsonNode connect = json(run, "connect", clientPort, port);
                assertEquals(ProcessHandle.current().pid(), connect.get("pid").asLong());
                assertEquals(6, connect.get("ip").asInt());
                assertEquals("[::ffff:127.0.0.1]", connect.get("saddr").asText());
                assertEquals("[::ffff:127.0.0.1]", connect.get("daddr").asText());
                assertTrue(connect.get("time_ns").asLong() >= 0, connect.toString());
                assertTrue(!connect.has("netns"), "no NETNS column with -N, as bcc: " + connect);
                json(run, "accept", port, clientPort);
                JsonNode close = json(run, "close", clientPort, port);
                assertTrue(close.get("time_ns").asLong() > connect.get("time_ns").asLong(), close + " after " + connect);
                assertEquals(0, run.stop(Runs.READY), run.errors());
            }
        }
    }

    @Test
    void netnsColumnAndUsageErrors() throws Exception {
        long netns = Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString().replaceAll("\\D", ""));
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcptracer", "-v", "-4")) {
                assertEquals("TYPE         PID    COMM             IP SADDR            DADDR            SPORT  DPORT  NETNS   ", run.lines().getFirst());
                try (Net.Connected c = Net.connect(server)) {
                    int clientPort = c.localPort();
                    String line = run.awaitLine(l -> l.startsWith("accept ") && l.contains(" " + port + " ") && l.contains(" " + clientPort + " "),
                            Runs.EVENT).orElseThrow(() -> new AssertionError("no accept: " + run.output() + run.errors()));
                    assertEquals(netns, Long.parseLong(Runs.columns(line, 9).get(8).strip()), line);
                }
                assertEquals(0, run.stop(Runs.READY), run.errors());
            }
        }
        try (ToolRun run = ToolRun.start("tcptracer", "-4", "-6")) {
            assertEquals(2, run.stop(Runs.READY));
            assertTrue(run.errors().contains("-4 and -6 cannot be used together"), run.errors());
        }
    }

    private static List<String> row(ToolRun run, String type, int port, int sport, int dport) throws InterruptedException {
        Predicate<String> match = l -> {
            List<String> c = List.of(l.trim().split("\\s+"));
            return c.size() == 8 && c.get(0).equals(type) && c.get(6).equals(Integer.toString(sport)) && c.get(7).equals(Integer.toString(dport));
        };
        String line = run.awaitLine(match, Runs.EVENT).orElseThrow(
                () -> new AssertionError("no " + type + " " + sport + " -> " + dport + " (server port " + port + "): " + run.output() + run.errors()));
        return Runs.columns(line, 8);
    }

    private static int order(List<String> lines, List<String> row) {
        for (int i = 0; i < lines.size(); i++) {
            if (List.of(lines.get(i).trim().split("\\s+")).equals(row)) return i;
        }
        throw new AssertionError(row + " is not in " + lines);
    }

    private static JsonNode json(ToolRun run, String type, int sport, int dport) throws InterruptedException {
        String line = run.awaitLine(l -> l.contains("\"type\":\"" + type + "\"") && l.contains("\"sport\":" + sport + ",")
                && l.contains("\"dport\":" + dport), Runs.EVENT).orElseThrow(
                () -> new AssertionError("no " + type + " " + sport + " -> " + dport + ": " + run.output() + run.errors()));
        return Runs.json(line);
    }
}
