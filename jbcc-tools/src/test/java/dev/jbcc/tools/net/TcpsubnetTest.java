package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tcpsubnet counts what the test sends to a loopback address of its own (127.0.0.77): on a kernel
 * with kprobes through tcp_sendmsg, on this host through the sock_send_length tracepoint.
 */
@org.junit.jupiter.api.Tag("vm")
class TcpsubnetTest {
    private static final int BYTES = 12345;

    /** Sends BYTES to 127.0.0.77 over a connection the test makes; the listener drains them. */
    private static void send() throws Exception {
        InetAddress own = InetAddress.getByName("127.0.0.77");
        try (ServerSocket server = new ServerSocket(0, 1, own)) {
            Thread drain = Thread.ofPlatform().start(() -> {
                try (Socket in = server.accept(); InputStream is = in.getInputStream()) {
                    is.readAllBytes();
                } catch (Exception ignored) {
                    // the assertion on the bytes counted says what went wrong
                }
            });
            try (Socket out = new Socket()) {
                out.connect(new InetSocketAddress(own, server.getLocalPort()));
                OutputStream os = out.getOutputStream();
                os.write(new byte[BYTES]);
                os.flush();
            }
            drain.join(10_000);
        }
    }

    @Test
    void countsTheBytesTheTestSendsToItsSubnetWithTheBestHook() throws Exception {
        try (ToolRun run = Runs.started("tcpsubnet", "-v", "--json", "-i", "30", "127.0.0.77/32,0.0.0.0/0")) {
            send();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            JsonNode o = Runs.json(run.lines().getLast());
            assertEquals(BYTES, o.get("entries").get("127.0.0.77/32").asLong(), o.toString());
            String hook = Features.haveKprobes() ? "using kprobe tcp_sendmsg"
                    : "using tracepoint sock:sock_send_length (kprobe: kprobes are not in this kernel (CONFIG_KPROBES); fentry: ";
            assertTrue(run.errors().contains("tcpsubnet: " + hook), run.errors());
        }
    }

    @Test
    void textInKBytesAndBadSubnetsAreUsageErrors() throws Exception {
        try (ToolRun run = Runs.started("tcpsubnet", "-f", "K", "-i", "30", "127.0.0.77/32")) {
            send();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertTrue(run.lines().getFirst().matches("\\[\\d\\d/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d]"), run.output());
            assertEquals(String.format("%-21s %6d", "127.0.0.77/32", Math.round(BYTES / 1024.0)), run.lines().get(1));
        }
        try (ToolRun run = ToolRun.start("tcpsubnet", "10.0.0.0/33")) {
            assertEquals(2, run.await(Runs.READY));
            assertEquals("jbcc: not a subnet: 10.0.0.0/33 (write a.b.c.d/n) (usage: jbcc tcpsubnet --help)", run.errors());
        }
    }
}
