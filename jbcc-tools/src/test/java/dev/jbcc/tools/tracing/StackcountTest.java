package dev.jbcc.tools.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.CTarget;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackcountTest {
    static CTarget target;

    @BeforeAll
    static void compile() throws Exception {
        target = CTarget.shared();
    }

    @Test
    void foldedUserStacksOfAFunctionPerProcess() throws Exception {
        try (CTarget.Waiting child = target.start(3, 0, "s");
             ToolRun run = Runs.started("stackcount", "-f", "-P", "-p", String.valueOf(child.pid()), target.path() + ":jbcc_work")) {
            child.go();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines();
            assertEquals(1, lines.size(), run.output());
            assertTrue(lines.getFirst().startsWith("jbcc_target;"), run.output());
            assertTrue(lines.getFirst().endsWith(";main;jbcc_work 3"), run.output());
        }
    }

    @Test
    void kernelAndUserStacksAtATracepoint() throws Exception {
        try (CTarget.Waiting child = target.start(4, 10, "t");
             ToolRun run = Runs.started("stackcount", "-d", "-p", String.valueOf(child.pid()), "t:syscalls:sys_enter_clock_nanosleep")) {
            child.go();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            // the stack: kernel frames, "--", user frames, then the count
            List<String> out = run.lines();
            int delimiter = out.indexOf("    --");
            assertTrue(delimiter > 0, run.output());
            List<String> user = new ArrayList<>();
            for (int i = delimiter + 1; i < out.size() && out.get(i).startsWith("  ") && !out.get(i).startsWith("    "); i++) user.add(out.get(i).trim());
            // libc is built without frame pointers: its frames may hide jbcc_work and usleep, not main
            assertTrue(user.indexOf("main") > 0, run.output());
            assertEquals("    4", out.get(delimiter + 1 + user.size()), run.output());
            assertTrue(out.subList(0, delimiter).stream().anyMatch(l -> l.contains("do_syscall_64")), run.output());
        }
    }

    @Test
    void jsonStacks() throws Exception {
        try (CTarget.Waiting child = target.start(2, 0, "j");
             ToolRun run = Runs.started("stackcount", "--json", "-p", String.valueOf(child.pid()), target.path() + ":jbcc_idle")) {
            child.go();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            JsonNode o = Runs.json(run.lines().getFirst());
            assertEquals(1, o.get("count").asLong());
            assertEquals("jbcc_idle", o.get("user_stack").get(0).asText());
            assertEquals("main", o.get("user_stack").get(1).asText());
            assertEquals(0, o.get("kernel_stack").size());
        }
    }

    @Test
    @Tag("kprobes")
    void kernelStacksOfAKernelFunction() throws Exception {
        try (CTarget.Waiting child = target.start(4, 100, "k");
             ToolRun run = Runs.started("stackcount", "-K", "-p", String.valueOf(child.pid()), "do_nanosleep")) {
            child.go();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> out = run.lines();
            assertTrue(out.contains("    4"), run.output());
            assertTrue(out.stream().anyMatch(l -> l.trim().startsWith("do_nanosleep")), run.output());
            assertTrue(out.stream().anyMatch(l -> l.contains("nanosleep") && !l.trim().startsWith("do_nanosleep")), "its callers: " + run.output());
        }
    }
}
