package dev.jbcc.tools.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
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

class DcsnoopTest {
    @TempDir
    Path dir;

    @Test
    void withoutKprobesItSaysSoInOneLine() throws Exception {
        if (Features.haveKprobes()) {
            showsTheMissOfADirectoryTheTestCreates(); // the VM: the real thing
            return;
        }
        Variants.refusedWithoutKprobes("dcsnoop");
    }

    @Test
    void itsKprobesCompileForThisKernel() {
        assertEquals(List.of("kprobe", "kprobe/d_lookup", "kretprobe/d_lookup"), // "reference" is attached by -a
                Variants.sections(Dcsnoop.class, "dcsnoop.bpf.c", "HOOK_KPROBE", Map.of()));
    }

    @Test
    @Tag("kprobes")
    void showsTheMissOfADirectoryTheTestCreates() throws Exception {
        String name = "dc-" + UUID.randomUUID().toString().substring(0, 8);
        try (ToolRun run = Runs.started("dcsnoop")) {
            assertEquals("TIME(s)     PID     COMM             T FILE", run.lines().getFirst());
            Files.createDirectory(dir.resolve(name)); // mkdir looks the new name up in the dcache first: a miss
            String line = run.awaitLine(l -> l.endsWith(" M " + name), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no miss of " + name + ": " + run.output() + run.errors()));
            List<String> c = Runs.columns(line, 5);
            assertEquals(String.valueOf(ProcessHandle.current().pid()), c.get(1));
            assertTrue(Double.parseDouble(c.get(0)) >= 0, line);
            assertEquals(0, run.stop(Runs.READY));
        }
        try (ToolRun run = Runs.started("dcsnoop", "-a", "--json")) {
            Files.readAttributes(dir.resolve(name), java.nio.file.attribute.BasicFileAttributes.class);
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"file\":\"" + name + "\""), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no lookup of " + name + ": " + run.output() + run.errors())));
            assertEquals("R", e.get("t").asText(), "a cached directory: a reference");
        }
    }
}
