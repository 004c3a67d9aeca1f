package dev.jbcc.tools.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
import dev.jbcc.tools.CTarget;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FunccountTest {
    static CTarget target;

    @BeforeAll
    static void compile() throws Exception {
        target = CTarget.shared();
    }

    /** FUNC → COUNT of the table funccount printed. */
    static Map<String, Long> table(List<String> lines) {
        return lines.stream().filter(l -> l.matches("\\S+\\s+\\d+")).map(l -> l.split("\\s+"))
                .collect(Collectors.toMap(c -> c[0], c -> Long.parseLong(c[1]), Long::sum));
    }

    @Test
    void countsEachUserFunctionTheTargetCalls() throws Exception {
        try (ToolRun run = Runs.started("funccount", target.path() + ":jbcc_*")) {
            target.run(7, 0, "x");
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertTrue(run.errors().contains("Tracing 3 functions for \"" + target.path() + ":jbcc_*\"... Hit Ctrl-C to end."), run.errors());
            List<String> lines = run.lines();
            assertEquals(String.format("%-36s %8s", "FUNC", "COUNT"), lines.get(lines.indexOf("") + 1));
            assertEquals(Map.of("jbcc_work", 7L, "jbcc_idle", 1L, "jbcc_leak", 1L), table(lines));
        }
    }

    @Test
    void countsATracepointForOneProcessInJson() throws Exception {
        try (CTarget.Waiting child = target.start(5, 100, "y");
             ToolRun run = Runs.started("funccount", "--json", "-p", String.valueOf(child.pid()), "t:syscalls:sys_enter_clock_nanosleep")) {
            child.go();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            JsonNode row = Runs.json(run.lines().getFirst());
            assertEquals("syscalls:sys_enter_clock_nanosleep", row.get("func").asText());
            assertEquals(5, row.get("count").asLong(), run.output());
        }
    }

    @Test
    void countsAUsdtProbe() throws Exception {
        try (CTarget.Waiting child = target.start(4, 0, "u");
             ToolRun run = Runs.started("funccount", "-p", String.valueOf(child.pid()), "u:" + target.path() + ":jbcc:wo*")) {
            child.go();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertEquals(Map.of("jbcc:work", 4L), table(run.lines()));
        }
    }

    @Test
    void kernelFunctionsNeedKprobes() throws Exception {
        if (Features.haveKprobes()) return; // the VM: countsKernelFunctions
        try (ToolRun run = ToolRun.start("funccount", "vfs_read")) {
            assertEquals(1, run.await(Runs.READY));
            assertTrue(run.errors().startsWith("jbcc: kernel function probes (p:vfs_read) is not supported by this kernel: kprobes are not in this kernel"), run.errors());
            assertEquals(1, run.errors().lines().count(), run.errors());
        }
    }

    @Test
    @Tag("kprobes")
    void countsKernelFunctionsOfOneProcess() throws Exception {
        try (CTarget.Waiting child = target.start(4, 100, "z");
             ToolRun run = Runs.started("funccount", "-p", String.valueOf(child.pid()), "do_nanosleep")) {
            child.go();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertEquals(Map.of("do_nanosleep", 4L), table(run.lines()));
        }
    }
}
