package dev.jbcc.tools.memory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.CTarget;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemleakTest {
    static CTarget target;
    @TempDir
    Path dir;

    @BeforeAll
    static void compile() throws Exception {
        target = CTarget.shared();
    }

    @Test
    void theMallocsAProcessNeverFreesByStack() throws Exception {
        try (CTarget.Waiting child = target.start(6, 0, "l");
             ToolRun run = Runs.started("memleak", "-a", "-p", String.valueOf(child.pid()), "1")) {
            child.go();
            String line = run.awaitLine(l -> l.equals("\t30000 bytes in 6 allocations from stack"), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError(run.output() + run.errors()));
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines();
            int at = lines.indexOf(line);
            assertTrue(lines.get(at + 1).matches("\t\tjbcc_leak\\+0x[0-9a-f]+ \\[.*/jbcc_target]"), lines.get(at + 1));
            assertTrue(lines.get(at + 2).matches("\t\tmain\\+0x[0-9a-f]+ \\[.*/jbcc_target]"), lines.get(at + 2));
            for (int i = 1; i <= 6; i++) assertTrue(lines.get(at - i).matches("\taddr = [0-9a-f]+ size = 5000"), lines.get(at - i));
            // the largest stack comes last in its report
            assertTrue(lines.subList(0, at).stream().anyMatch(l -> l.matches("\\[\\d\\d:\\d\\d:\\d\\d] Top 10 stacks with outstanding allocations:")), run.output());
        }
    }

    @Test
    void jsonReports() throws Exception {
        try (CTarget.Waiting child = target.start(3, 0, "j");
             ToolRun run = Runs.started("memleak", "--json", "-o", "0", "-z", "4000", "-p", String.valueOf(child.pid()), "1")) {
            child.go();
            JsonNode r = Runs.json(run.awaitLine(l -> l.contains("\"bytes\":15000"), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError(run.output() + run.errors())));
            assertEquals(3, r.get("allocations").asInt());
            assertTrue(r.get("stack").get(0).asText().startsWith("jbcc_leak+0x"), r.toString());
        }
    }

    @Test
    void kernelAllocationsOfNewFiles() throws Exception {
        try (ToolRun run = Runs.started("memleak", "-o", "0", "-T", "100000", "2", "1")) {
            Path files = Files.createDirectory(dir.resolve("files"));
            for (int i = 0; i < 500; i++) Files.createFile(files.resolve("f" + i));
            assertEquals(0, run.await(Runs.READY), run.errors());
            // each new name is a dentry the kernel allocated and keeps
            assertTrue(run.lines().stream().anyMatch(l -> l.matches("\t\t_*d_alloc\\w*\\+0x[0-9a-f]+( \\[.*])?")), run.output().length() > 4000 ? run.output().substring(0, 4000) : run.output());
        }
    }
}
