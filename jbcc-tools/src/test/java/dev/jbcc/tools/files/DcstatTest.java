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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DcstatTest {
    private static final int DIRS = 50;

    @TempDir
    Path dir;

    @Test
    void withoutKprobesItSaysSoInOneLine() throws Exception {
        if (Features.haveKprobes()) {
            countsTheMissesOfDirectoriesTheTestCreates(); // the VM: the real thing
            return;
        }
        Variants.refusedWithoutKprobes("dcstat");
    }

    @Test
    void itsKprobesCompileForThisKernel() {
        assertEquals(List.of("kprobe", "kretprobe/d_lookup"), // "reference" is attached to lookup_fast by pattern
                Variants.sections(Dcstat.class, "dcstat.bpf.c", "HOOK_KPROBE", Map.of()));
    }

    @Test
    @Tag("kprobes")
    void countsTheMissesOfDirectoriesTheTestCreates() throws Exception {
        try (ToolRun run = Runs.started("dcstat")) {
            assertEquals("TIME         REFS/s   SLOW/s   MISS/s     HIT%", run.lines().getFirst());
            for (int i = 0; i < DIRS; i++) Files.createDirectory(dir.resolve("d" + i)); // each new name: a d_lookup() miss
            assertEquals(0, run.stop(Runs.READY));
            long refs = 0, slow = 0, miss = 0;
            for (String l : run.lines().subList(1, run.lines().size())) {
                assertTrue(l.matches("\\d\\d:\\d\\d:\\d\\d:( +\\d+){3} +(\\d+\\.\\d\\d|-%)"), l);
                List<String> c = Runs.columns(l, 5);
                refs += Long.parseLong(c.get(1));
                slow += Long.parseLong(c.get(2));
                miss += Long.parseLong(c.get(3));
            }
            assertTrue(miss >= DIRS && slow >= miss && refs > 0, refs + " refs, " + slow + " slow, " + miss + " misses:\n" + run.output());
        }
        try (ToolRun run = Runs.started("dcstat", "--json", "1", "1")) {
            assertEquals(0, run.await(Runs.READY));
            JsonNode e = Runs.json(run.lines().getFirst());
            assertTrue(e.has("refs_s") && e.has("miss_s") && e.has("hit"), e.toString());
        }
    }
}
