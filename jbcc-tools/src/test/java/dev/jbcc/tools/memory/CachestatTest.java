package dev.jbcc.tools.memory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cachestat and cachetop: kprobes only (no tracepoint marks a page cache access). */
class CachestatTest {
    private static final int PAGES = 2048;

    @TempDir
    Path dir;

    /** A file of PAGES pages in the page cache, read again: hits. */
    private Path cachedFile() throws Exception {
        Path f = dir.resolve("cached");
        Files.write(f, new byte[PAGES * 4096]);
        Runs.sh("cat", f.toString());
        return f;
    }

    @Test
    void withoutKprobesOneLineSaysWhatIsMissing() throws Exception {
        if (Features.haveKprobes()) return; // the VM runs the tests below
        for (String tool : new String[]{"cachestat", "cachetop"}) {
            try (ToolRun run = ToolRun.start(tool, "1")) {
                assertEquals(1, run.await(Runs.READY), run.errors());
                assertEquals("jbcc: kprobes (CONFIG_KPROBES) is not supported by this kernel: " + tool + " counts page cache accesses in kernel functions, which no tracepoint marks",
                        run.errors().strip());
            }
        }
    }

    @Test
    @Tag("kprobes")
    void hitsOfAFileReadTwice() throws Exception {
        Path f = cachedFile();
        try (ToolRun run = Runs.started("cachestat", "--json", "2", "1")) {
            Runs.sh("cat", f.toString());
            assertEquals(0, run.await(Runs.READY), run.errors());
            JsonNode r = Runs.json(run.lines().getFirst());
            assertTrue(r.get("hits").asLong() >= PAGES, r.toString());
            assertTrue(r.get("hitratio").asDouble() > 0, r.toString());
        }
    }

    @Test
    @Tag("kprobes")
    void cachetopShowsTheReader() throws Exception {
        Path f = cachedFile();
        try (ToolRun run = Runs.started("cachetop", "2")) {
            Process p = new ProcessBuilder("cat", f.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertEquals(0, p.waitFor());
            String line = run.awaitLine(l -> l.startsWith(p.pid() + " "), Runs.EVENT).orElseThrow(() -> new AssertionError(run.output()));
            assertTrue(Long.parseLong(Runs.columns(line, 8).get(3)) >= PAGES, line);
        }
    }
}
