package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.bcc.BPF;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OtherToolsTest {
    @Test
    void bpflistCountsThisProcesssProgramsAndMaps() throws Exception {
        long self = ProcessHandle.current().pid();
        try (BPF b = BPF.fromText("""
                BPF_HASH(a, u32, u64);
                BPF_ARRAY(b, u64, 4);
                TRACEPOINT_PROBE(syscalls, sys_enter_getppid) { return 0; }
                """)) {
            try (ToolRun run = ToolRun.start("bpflist", "--json")) {
                assertEquals(0, run.await(Runs.READY), run.errors());
                long progs = 0, maps = 0;
                for (String line : run.lines()) {
                    JsonNode e = Runs.json(line);
                    if (e.get("pid").asLong() != self) continue;
                    if (e.get("type").asText().equals("prog")) progs = e.get("count").asLong();
                    if (e.get("type").asText().equals("map")) maps = e.get("count").asLong();
                }
                assertTrue(progs >= 1, "this JVM's tracepoint program: " + run.output());
                assertTrue(maps >= 2, "this JVM's two maps: " + run.output());
            }
        }
        try (ToolRun run = ToolRun.start("bpflist")) {
            assertEquals(0, run.await(Runs.READY), run.errors());
            assertEquals("PID    COMM             TYPE     COUNT", run.lines().getFirst().stripTrailing());
        }
    }

    @Test
    void bashreadlineShowsACommandTypedIntoAnInteractiveBash() throws Exception {
        String marker = "jbcc-" + UUID.randomUUID();
        try (ToolRun run = Runs.started("bashreadline")) {
            // An interactive bash on a pseudo-terminal (script(1)), so it reads with readline.
            Process bash = new ProcessBuilder("script", "-qfc", "bash --norc --noprofile -i", "/dev/null").start();
            try {
                bash.getOutputStream().write(("echo " + marker + "\n").getBytes(StandardCharsets.UTF_8));
                bash.getOutputStream().flush();
                String line = run.awaitLine(l -> l.contains(marker), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no line for " + marker + ": " + run.output() + run.errors()));
                assertEquals("TIME      PID    COMMAND", run.lines().getFirst());
                List<String> c = Runs.columns(line, 3);
                assertTrue(c.get(0).matches("\\d\\d:\\d\\d:\\d\\d"), line);
                long pid = Long.parseLong(c.get(1));
                assertTrue(bash.toHandle().descendants().anyMatch(h -> h.pid() == pid), "the bash under script(1): " + line);
                assertEquals("echo " + marker, c.get(2));
                bash.getOutputStream().write("exit\n".getBytes(StandardCharsets.UTF_8));
                bash.getOutputStream().flush();
                assertTrue(bash.waitFor(20, TimeUnit.SECONDS));
            } finally {
                bash.destroyForcibly();
            }
        }
    }
}
