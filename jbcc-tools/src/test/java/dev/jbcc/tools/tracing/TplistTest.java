package dev.jbcc.tools.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.CTarget;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TplistTest {
    @Test
    void aTracepointWithItsFields() throws Exception {
        try (ToolRun run = ToolRun.start("tplist", "-v", "syscalls:sys_enter_openat")) {
            assertEquals(0, run.await(Runs.READY), run.errors());
            assertEquals(List.of("syscalls:sys_enter_openat", "    int __syscall_nr;", "    int dfd;", "    const char * filename;",
                    "    int flags;", "    umode_t mode;"), run.lines());
        }
    }

    @Test
    void wildcardsMatchTheTracefsEvents() throws Exception {
        try (ToolRun run = ToolRun.start("tplist", "sched:sched_process_*")) {
            assertEquals(0, run.await(Runs.READY), run.errors());
            List<String> lines = run.lines();
            assertTrue(lines.containsAll(List.of("sched:sched_process_exec", "sched:sched_process_fork", "sched:sched_process_exit")), run.output());
            for (String l : lines) {
                String event = l.substring("sched:".length());
                assertTrue(l.startsWith("sched:sched_process_") && Files.isDirectory(Path.of("/sys/kernel/tracing/events/sched", event)), l);
            }
        }
    }

    @Test
    void usdtProbesOfABinary() throws Exception {
        CTarget target = CTarget.shared();
        try (ToolRun run = ToolRun.start("tplist", "-l", target.path().toString())) {
            assertEquals(0, run.await(Runs.READY), run.errors());
            assertEquals(List.of(target.path() + " jbcc:work"), run.lines());
        }
        try (ToolRun run = ToolRun.start("tplist", "-v", "-l", target.path().toString(), "*work")) {
            assertEquals(0, run.await(Runs.READY), run.errors());
            assertEquals(List.of("jbcc:work", "  1 location(s)", "  2 argument(s)"), run.lines());
        }
        try (ToolRun run = ToolRun.start("tplist", "--json", "-l", target.path().toString())) {
            assertEquals(0, run.await(Runs.READY), run.errors());
            JsonNode p = Runs.json(run.lines().getFirst());
            assertEquals("jbcc", p.get("provider").asText());
            assertEquals("work", p.get("name").asText());
            assertEquals(2, p.get("arguments").asInt());
        }
    }
}
