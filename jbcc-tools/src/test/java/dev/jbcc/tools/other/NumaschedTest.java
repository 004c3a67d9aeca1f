package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Gated;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * numasched on a shell of the test's own that moves itself (taskset -p) to the first CPU of each
 * NUMA node in turn, and then to every CPU: a switch per node change where the machine has more
 * than one node, and none at all where it has one (moves between CPUs of one node are not NUMA
 * switches).
 */
class NumaschedTest {
    /** The first CPU of each online NUMA node. */
    private static List<Integer> firstCpuPerNode() throws Exception {
        List<Integer> cpus = new ArrayList<>();
        for (String range : Files.readString(Path.of("/sys/devices/system/node/online")).trim().split(",")) {
            String[] ends = range.split("-");
            for (int n = Integer.parseInt(ends[0]); n <= Integer.parseInt(ends[ends.length - 1]); n++) {
                String list = Files.readString(Path.of("/sys/devices/system/node/node" + n + "/cpulist")).trim();
                if (!list.isEmpty()) cpus.add(Integer.parseInt(list.split("[-,]")[0]));
            }
        }
        return cpus;
    }

    @Test
    void aThreadMovedAcrossNodesIsShownAndWithinANodeIsNot() throws Exception {
        List<Integer> nodes = firstCpuPerNode();
        String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
        StringBuilder moves = new StringBuilder();
        for (int cpu : nodes) moves.append("taskset -p -c ").append(cpu).append(" $$ >/dev/null; sleep 0.1; ");
        moves.append("taskset -p -c ").append(online).append(" $$ >/dev/null; for i in 1 2 3; do sleep 0.05; done");
        try (Gated shell = new Gated("sh -c '" + moves + "'");
             ToolRun run = Runs.started("numasched", "--json", "-p", Long.toString(shell.pid()))) {
            assertEquals(0, shell.run());
            if (nodes.size() > 1) {
                run.awaitLine(l -> l.contains("\"dst_nid\":" + (nodes.size() - 1)), Runs.EVENT)
                        .orElseThrow(() -> new AssertionError("no switch to the last node: " + run.output() + run.errors()));
            }
            Thread.sleep(500); // anything late
            assertEquals(0, run.stop(Runs.READY), run.errors());
            for (String line : run.lines()) {
                JsonNode e = Runs.json(line);
                assertEquals(shell.pid(), e.get("pid").asLong(), line);
                assertTrue(e.get("src_nid").asInt() != e.get("dst_nid").asInt(), line);
            }
            if (nodes.size() == 1) assertEquals(List.of(), run.lines(), "one node: no NUMA switch, whatever CPUs the shell ran on");
            else assertTrue(run.lines().size() >= nodes.size() - 1, run.output());
        }
    }

    @Test
    void headerInColumns() throws Exception {
        try (ToolRun run = Runs.started("numasched", "-c", "jbcc-no-such-command")) {
            assertEquals("TIME     PID      TID      SRC_NID  -> DST_NID  COMM", run.lines().getFirst());
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertTrue(run.errors().contains("Tracing task NUMA switch..."), run.errors());
        }
    }
}
