package dev.jbcc.tools.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import dev.jbcc.tools.Variants;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VfscountTest {
    private static final int READS = 200;

    @TempDir
    Path dir;

    private void reads() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("f").toFile(), "rw")) {
            f.write(new byte[16]);
            for (int i = 0; i < READS; i++) {
                f.seek(0);
                f.read();
            }
        }
    }

    @Test
    void withoutKprobesItSaysSoInOneLine() throws Exception {
        if (Features.haveKprobes()) {
            countsTheTestsReads(); // the VM: the real thing
            return;
        }
        Variants.refusedWithoutKprobes("vfscount");
    }

    @Test
    void itsKprobeCompiles() {
        assertEquals(List.of("kprobe"), Variants.sections(Vfscount.class, "vfscount.bpf.c", "HOOK_KPROBE", Map.of()));
    }

    @Test
    @Tag("kprobes")
    void countsTheTestsReads() throws Exception {
        try (ToolRun run = Runs.started("vfscount")) {
            reads();
            assertEquals(0, run.stop(Runs.READY));
            assertEquals("Tracing... Ctrl-C to end.", run.errors());
            assertEquals(List.of("", "ADDR             FUNC                          COUNT"), run.lines().subList(0, 2));
            String read = run.lines().stream().filter(l -> l.matches("\\p{XDigit}+ +vfs_read +\\d+")).findFirst().orElseThrow(
                    () -> new AssertionError("no vfs_read: " + run.output()));
            assertTrue(Long.parseLong(Runs.columns(read, 3).get(2)) >= READS, read);
        }
        try (ToolRun run = Runs.started("vfscount", "--json", "1")) {
            reads();
            assertEquals(0, run.await(Runs.READY));
            JsonNode e = run.lines().stream().map(Runs::json).filter(j -> j.get("func").asText().equals("vfs_read")).findFirst()
                    .orElseThrow(() -> new AssertionError("no vfs_read: " + run.output()));
            assertTrue(e.get("count").asLong() >= READS, e.toString());
        }
    }
}
