package dev.jbcc.tools.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** softirqs while the test sends itself UDP datagrams over loopback (received in NET_RX softirqs). */
class SoftirqsTest {
    private static void datagrams(int n) throws Exception {
        try (DatagramSocket rx = new DatagramSocket(0, InetAddress.getLoopbackAddress()); DatagramSocket tx = new DatagramSocket()) {
            rx.setSoTimeout(5000);
            byte[] data = new byte[64];
            for (int i = 0; i < n; i++) {
                tx.send(new DatagramPacket(data, data.length, rx.getLocalSocketAddress()));
                rx.receive(new DatagramPacket(new byte[64], 64));
            }
        }
    }

    @Test
    void countsLieBetweenTheKernelsOwnCounters() throws Exception {
        Map<String, Long> outerBefore = ProcCounts.softirqs();
        Map<String, Long> innerBefore, innerAfter;
        Map<String, Long> counted = new HashMap<>();
        try (ToolRun run = Runs.started("softirqs", "-C")) {
            innerBefore = ProcCounts.softirqs();
            datagrams(200);
            innerAfter = ProcCounts.softirqs();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines();
            int header = lines.indexOf("SOFTIRQ          TOTAL_count");
            assertTrue(header >= 0, run.output());
            for (String l : lines.subList(header + 1, lines.size())) {
                if (l.isBlank()) continue;
                List<String> c = Runs.columns(l, 2);
                counted.put(c.get(0), Long.parseLong(c.get(1)));
            }
        }
        Map<String, Long> outerAfter = ProcCounts.softirqs();
        assertTrue(counted.getOrDefault("net_rx", 0L) >= 1, "the test's datagrams are received in net_rx: " + counted);
        for (var e : counted.entrySet()) {
            long low = ProcCounts.delta(innerBefore, innerAfter, e.getKey()), high = ProcCounts.delta(outerBefore, outerAfter, e.getKey());
            assertTrue(low <= e.getValue() && e.getValue() <= high, e.getKey() + ": counted " + e.getValue() + ", the kernel " + low + ".." + high);
        }
    }

    @Test
    void jsonTotalsAndHistograms() throws Exception {
        try (ToolRun run = Runs.started("softirqs", "--json", "1", "1")) {
            datagrams(50);
            assertEquals(0, run.await(Runs.READY), run.errors());
            List<JsonNode> rows = run.lines().stream().map(Runs::json).toList();
            assertFalse(rows.isEmpty(), run.output());
            assertTrue(rows.stream().anyMatch(r -> r.get("softirq").asText().equals("net_rx") && r.get("total_usecs").asLong() >= 0), run.output());
            assertTrue(rows.stream().allMatch(r -> Softirqs.NAMES.contains(r.get("softirq").asText())), run.output());
        }
        try (ToolRun run = Runs.started("softirqs", "-d", "1", "1")) {
            datagrams(50);
            assertEquals(0, run.await(Runs.READY), run.errors());
            String out = run.output();
            assertTrue(out.contains("softirq = net_rx") && out.contains("usecs"), out);
            assertTrue(Histograms.total(Histograms.section(out, "softirq = net_rx")) >= 1, out);
        }
    }
}
