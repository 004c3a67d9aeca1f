package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.PinnedSet;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tcpconnect on connects the test makes to a port of its own on 127.0.0.1. */
@org.junit.jupiter.api.Tag("vm")
class TcpconnectTest {
    @Test
    void showsTheTestsConnectWithItsPidAndPorts() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcpconnect", "-L", "-P", Integer.toString(port))) {
                assertEquals("PID     COMM         IP SADDR            LPORT  DADDR            DPORT", run.lines().getFirst().stripTrailing());
                Net.Connected c = Net.connect(server);
                String line = run.awaitLine(l -> l.stripTrailing().endsWith(" " + port), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no connect to " + port + ": " + run.output() + run.errors()));
                List<String> col = Runs.columns(line, 7);
                assertEquals(ProcessHandle.current().pid(), Long.parseLong(col.get(0)), line);
                assertEquals(Net.comm(c.tid()), col.get(1), line);
                assertEquals("4", col.get(2));
                assertEquals("127.0.0.1", col.get(3));
                assertEquals(c.localPort(), Integer.parseInt(col.get(4)), line);
                assertEquals("127.0.0.1", col.get(5));
                assertEquals(0, run.stop(Runs.READY), run.errors());
                c.close();
            }
        }
    }

    @Test
    void countsUnderJson() throws Exception {
        try (ServerSocketChannel server = Net.listener()) {
            int port = Net.port(server);
            try (ToolRun run = Runs.started("tcpconnect", "-c", "--json", "-4", "-P", Integer.toString(port))) {
                for (int i = 0; i < 3; i++) Net.connect(server).close();
                assertEquals(0, run.stop(Runs.READY), run.errors());
                JsonNode n = Runs.json(run.lines().stream().filter(l -> l.startsWith("{")).findFirst().orElseThrow(
                        () -> new AssertionError("no count: " + run.output() + run.errors())));
                assertEquals("127.0.0.1", n.get("laddr").asText());
                assertEquals("127.0.0.1", n.get("raddr").asText());
                assertEquals(Integer.toString(port), n.get("rport").asText());
                assertEquals(3, n.get("connects").asInt(), n.toString());
            }
        }
    }

    @Test
    void bothFamiliesIsAUsageError() throws Exception {
        ToolRun run = ToolRun.start("tcpconnect", "-4", "-6");
        assertEquals(2, run.await(Runs.READY));
        assertTrue(run.errors().contains("-4 and -6 cannot be used together"), run.errors());
    }

    @Test
    void cgroupAndMountNamespaceMapsLeaveOutTasksNotInThem() throws Exception {
        try (ServerSocketChannel server = Net.listener();
             PinnedSet cgroups = new PinnedSet(8, PinnedSet.ownCgroup());
             PinnedSet otherCgroups = new PinnedSet(8, PinnedSet.ownCgroup() + 1);
             PinnedSet namespaces = new PinnedSet(4, PinnedSet.ownMountNamespace())) {
            String port = Integer.toString(Net.port(server));
            try (ToolRun ours = Runs.started("tcpconnect", "-P", port, "--cgroupmap", cgroups.path().toString(),
                    "--mntnsmap", namespaces.path().toString());
                 ToolRun others = Runs.started("tcpconnect", "-P", port, "--cgroupmap", otherCgroups.path().toString())) {
                Net.connect(server).close();
                ours.awaitLine(l -> l.stripTrailing().endsWith(" " + port), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no connect in our cgroup: " + ours.output() + ours.errors()));
                assertEquals(0, others.stop(Runs.READY), others.errors());
                assertEquals(1, others.lines().size(), "only the header: " + others.output());
            }
        }
    }

    @Test
    void aMapPathWithNothingPinnedIsOneLine() throws Exception {
        ToolRun run = ToolRun.start("tcpconnect", "--cgroupmap", "/sys/fs/bpf/jbcc-nothing-" + java.util.UUID.randomUUID());
        assertEquals(1, run.await(Runs.READY), run.errors());
        assertTrue(run.errors().startsWith("jbcc: no pinned map at /sys/fs/bpf/jbcc-nothing-"), run.errors());
        assertEquals(1, run.errors().lines().count(), run.errors());
    }
}
