package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Gated;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** syscount on processes of the test's own, their PIDs known before they run (Gated). */
@org.junit.jupiter.api.Tag("vm")
class SyscountTest {
    /** dd copying 1000 single bytes: 1000 writes, and a few more reads than that (the loader's). */
    private static final String DD = "dd if=/dev/zero of=/dev/null bs=1 count=1000 status=none";

    private static Map<String, Long> counts(List<String> lines) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("[") || line.startsWith("SYSCALL") || line.equals("Detaching...")) continue;
            List<String> c = Runs.columns(line, 2);
            counts.put(c.get(0), Long.parseLong(c.get(1)));
        }
        return counts;
    }

    @Test
    void countsEachSyscallOfOneProcess() throws Exception {
        try (Gated dd = new Gated(DD); ToolRun run = Runs.started("syscount", "-p", Long.toString(dd.pid()))) {
            assertEquals(0, dd.run());
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines();
            assertTrue(lines.getFirst().matches("\\[\\d\\d:\\d\\d:\\d\\d]"), run.output());
            assertEquals("SYSCALL                   COUNT", lines.get(1));
            assertEquals("Detaching...", lines.getLast());
            Map<String, Long> counts = counts(lines);
            assertEquals(1000, counts.get("write"), run.output());
            assertTrue(counts.get("read") >= 1000 && counts.get("read") < 1100, run.output());
            assertEquals(List.of("read", "write"), List.copyOf(counts.keySet()).subList(0, 2), "busiest first: " + run.output());
            assertTrue(counts.size() <= 10, "the top 10 only: " + run.output());
        }
    }

    @Test
    void onlyFailuresWithTheGivenErrno() throws Exception {
        try (Gated cat = new Gated("cat /nonexistent/jbcc-" + UUID.randomUUID());
             ToolRun run = Runs.started("syscount", "-x", "-e", "ENOENT", "-p", Long.toString(cat.pid()))) {
            assertEquals(1, cat.run());
            assertEquals(0, run.stop(Runs.READY), run.errors());
            Map<String, Long> counts = counts(run.lines());
            assertTrue(counts.getOrDefault("openat", 0L) >= 1, run.output());
            // (execve fails with ENOENT too, in the shell's search of PATH for cat)
            for (String succeeds : List.of("read", "mmap", "close")) assertFalse(counts.containsKey(succeeds), run.output());
        }
    }

    @Test
    void jsonPerProcessWithLatency() throws Exception {
        try (Gated dd = new Gated(DD); ToolRun run = Runs.started("syscount", "--json", "-P", "-L", "-m", "-p", Long.toString(dd.pid()))) {
            assertEquals(0, dd.run());
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertEquals(1, run.lines().size(), run.output());
            JsonNode processes = Runs.json(run.lines().getFirst()).get("processes");
            assertEquals(1, processes.size(), run.output());
            JsonNode p = processes.get(0);
            assertEquals(dd.pid(), p.get("pid").asLong());
            assertEquals("dd", p.get("comm").asText());
            assertTrue(p.get("count").asLong() >= 2000, p.toString());
            assertTrue(p.get("time_ms").asDouble() > 0, p.toString());
        }
    }

    @Test
    void unknownSyscallIsAUsageError() throws Exception {
        try (ToolRun run = dev.jbcc.tools.ToolRun.start("syscount", "--syscall", "nosuchcall")) {
            assertEquals(2, run.await(Runs.READY));
            assertEquals("jbcc: syscall 'nosuchcall' not found (-l lists them) (usage: jbcc syscount --help)", run.errors());
        }
    }

    @Test
    void listsTheSyscallNames() throws Exception {
        try (ToolRun run = dev.jbcc.tools.ToolRun.start("syscount", "-l")) {
            assertEquals(0, run.await(Runs.READY));
            List<String> names = List.of(run.output().split("\\s+"));
            assertTrue(names.containsAll(List.of("openat", "execve", "read", "write")), run.output());
        }
    }
}
