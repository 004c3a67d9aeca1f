package dev.jbcc.tools.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
import dev.jbcc.tools.KernelFunctions;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import dev.jbcc.tools.Variants;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilelifeTest {
    @TempDir
    Path dir;

    @Test
    void withoutKprobesItSaysSoInOneLine() throws Exception {
        if (Features.haveKprobes()) {
            showsAFileTheTestCreatesAndDeletesWithItsAge(); // the VM: the real thing
            return;
        }
        Variants.refusedWithoutKprobes("filelife");
    }

    @Test
    void itsKprobesCompileForThisKernelsSignatures() {
        List<String> sections = Variants.sections(Filelife.class, "filelife.bpf.c", "HOOK_KPROBE", Map.of("FILTER_PID", -1,
                "CREATE_DENTRY", KernelFunctions.argument("vfs_create", "dentry"),
                "UNLINK_DENTRY", KernelFunctions.argument("vfs_unlink", "dentry")));
        assertEquals(List.of("kprobe/security_inode_create", "kprobe/vfs_create", "kprobe/vfs_unlink"), sections);
    }

    @Test
    @Tag("kprobes")
    void showsAFileTheTestCreatesAndDeletesWithItsAge() throws Exception {
        String name = "life-" + UUID.randomUUID().toString().substring(0, 8);
        Path file = dir.resolve(name);
        try (ToolRun run = Runs.started("filelife", "-p", String.valueOf(ProcessHandle.current().pid()))) {
            assertEquals("TIME     PID     COMM             AGE(s)  FILE", run.lines().getFirst());
            long born = System.nanoTime();
            Files.writeString(file, "x");
            Thread.sleep(300);
            Files.delete(file);
            double lived = (System.nanoTime() - born) / 1e9;
            String line = run.awaitLine(l -> l.endsWith(" " + name), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no death of " + name + ": " + run.output() + run.errors()));
            List<String> c = Runs.columns(line, 5);
            assertEquals(String.valueOf(ProcessHandle.current().pid()), c.get(1));
            double age = Double.parseDouble(c.get(3));
            assertTrue(age >= 0.29 && age <= lived + 0.01, "lived 0.3 s to " + lived + ": " + line);
            assertEquals(0, run.stop(Runs.READY));
        }
        try (ToolRun run = Runs.started("filelife", "--json")) {
            Files.writeString(file, "x");
            Files.delete(file);
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains(name), Runs.EVENT).orElseThrow());
            assertEquals(name, e.get("file").asText());
            assertTrue(e.get("age_s").asDouble() >= 0, e.toString());
        }
    }
}
