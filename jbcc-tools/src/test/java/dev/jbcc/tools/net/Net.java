package dev.jbcc.tools.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the network tools' tests share: a listener of their own on 127.0.0.1 and connections to it,
 * on AF_INET sockets (java.net's sockets are AF_INET6 ones, which the kernel reports as IPv6).
 */
final class Net {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Net() {
    }

    /** A listening IPv4 socket on 127.0.0.1, on a port the kernel picks. */
    static ServerSocketChannel listener() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
        s.bind(new InetSocketAddress(LOOPBACK, 0), 16);
        return s;
    }

    static int port(ServerSocketChannel server) throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** A connection from this thread to {@code server}, the server's side of it accepted, and the thread that connected. */
    record Connected(SocketChannel client, SocketChannel accepted, long tid) implements AutoCloseable {
        int localPort() throws IOException {
            return ((InetSocketAddress) client.getLocalAddress()).getPort();
        }

        /** Writes {@code bytes} bytes from the client and reads them all on the server's side. */
        void send(int bytes) throws IOException {
            ByteBuffer out = ByteBuffer.allocate(bytes);
            ByteBuffer in = ByteBuffer.allocate(bytes);
            while (out.hasRemaining()) {
                client.write(out);
                accepted.read(in);
            }
            while (in.hasRemaining()) accepted.read(in);
        }

        @Override
        public void close() throws IOException {
            client.close();
            accepted.close();
        }
    }

    static Connected connect(ServerSocketChannel server) throws IOException {
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
        client.connect(server.getLocalAddress());
        long tid = tid();
        return new Connected(client, server.accept(), tid);
    }

    /** unacked.py (a session on 127.0.0.1 whose receiver drops every segment), running, and its ports. */
    record Unacked(Process process, int clientPort, int serverPort) {
    }

    /**
     * Starts unacked.py for {@code seconds}; with {@code recover} it waits for a line on its
     * standard input before it sends, and lets the data through after {@code seconds}.
     */
    static Unacked unacked(double seconds, boolean recover) throws IOException {
        Path script = Files.createTempFile("jbcc-unacked", ".py");
        try (var in = Net.class.getResourceAsStream("unacked.py")) {
            Files.write(script, in.readAllBytes());
        }
        script.toFile().deleteOnExit();
        List<String> command = new ArrayList<>(List.of("python3", script.toString(), Double.toString(seconds)));
        if (recover) command.add("recover");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (first == null || !first.matches("\\d+ \\d+")) {
            p.destroy();
            throw new IOException("unacked.py: " + first);
        }
        String[] ports = first.split(" ");
        return new Unacked(p, Integer.parseInt(ports[0]), Integer.parseInt(ports[1]));
    }

    /** The kernel's id of the calling thread. */
    static long tid() throws IOException {
        return Long.parseLong(Path.of("/proc/thread-self").toRealPath().getFileName().toString());
    }

    /** The command name (comm) of thread {@code tid} of this process. */
    static String comm(long tid) throws IOException {
        return Files.readString(Path.of("/proc/self/task/" + tid + "/comm")).strip();
    }
}
