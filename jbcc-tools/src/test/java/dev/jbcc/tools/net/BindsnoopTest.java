package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** bindsnoop on binds the test makes on 127.0.0.1: TCP with SO_REUSEADDR, UDP, and one that fails. */
class BindsnoopTest {
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    @Test
    void showsTheBoundPortProtocolAndOptions() throws Exception {
        try (ToolRun run = Runs.started("bindsnoop", "-p", PID)) {
            assertEquals("     PID COMM         PROT ADDR             PORT OPTS  IF", run.lines().getFirst());
            try (SocketChannel tcp = SocketChannel.open(StandardProtocolFamily.INET);
                 DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET)) {
                tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                tcp.bind(new InetSocketAddress(Net.LOOPBACK, 0));
                long tid = Net.tid();
                int tcpPort = ((InetSocketAddress) tcp.getLocalAddress()).getPort();
                String line = run.awaitLine(l -> l.contains(" " + tcpPort + " "), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no bind of " + tcpPort + ": " + run.output() + run.errors()));
                List<String> col = Runs.columns(line, 7);
                assertEquals(List.of(PID, Net.comm(tid), "TCP", "127.0.0.1", Integer.toString(tcpPort), "...R.", "0"), col);

                udp.bind(new InetSocketAddress(Net.LOOPBACK, 0));
                int udpPort = ((InetSocketAddress) udp.getLocalAddress()).getPort();
                String u = run.awaitLine(l -> l.contains(" " + udpPort + " "), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no bind of " + udpPort + ": " + run.output() + run.errors()));
                assertEquals(List.of("UDP", "127.0.0.1", Integer.toString(udpPort), "....."), Runs.columns(u, 7).subList(2, 6));
            }
            assertEquals(0, run.stop(Runs.READY), run.errors());
        }
    }

    @Test
    void aFailedBindUnderErrorsAndJson() throws Exception {
        try (ToolRun run = Runs.started("bindsnoop", "-E", "--json", "-p", PID);
             SocketChannel holder = SocketChannel.open(StandardProtocolFamily.INET);
             SocketChannel second = SocketChannel.open(StandardProtocolFamily.INET)) {
            holder.bind(new InetSocketAddress(Net.LOOPBACK, 0));
            int port = ((InetSocketAddress) holder.getLocalAddress()).getPort();
            assertThrows(BindException.class, () -> second.bind(new InetSocketAddress(Net.LOOPBACK, port)));
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"rc\":-98"), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no failed bind: " + run.output() + run.errors())));
            assertEquals("TCP", e.get("prot").asText());
            assertEquals(Long.parseLong(PID), e.get("pid").asLong());
        }
    }
}
