package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.LoopDevice;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import dev.jbcc.tools.Variants;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * readahead on an ext4 file system of the test's own, remounted so that its file is not cached:
 * reading the file's first 16 KiB makes the kernel read ahead much more than the 4 pages used.
 */
@org.junit.jupiter.api.Tag("vm")
class ReadaheadTest {
    /** A 4 MiB file on a freshly mounted ext4, none of it in the page cache. */
    private static Path uncachedFile(LoopDevice loop) throws Exception {
        Path dir = loop.mountExt4();
        Path file = dir.resolve("ra");
        Runs.sh("dd", "if=/dev/urandom", "of=" + file, "bs=1M", "count=4", "status=none", "conv=fsync");
        Runs.sh("umount", dir.toString());
        Runs.sh("mount", "-t", "ext4", loop.device(), dir.toString());
        return file;
    }

    @Test
    void unusedPagesAndTheAgeOfUsedOnes() throws Exception {
        try (LoopDevice loop = LoopDevice.create(32)) {
            Path file = uncachedFile(loop);
            try (ToolRun run = Runs.started("readahead")) {
                Runs.sh("dd", "if=" + file, "of=/dev/null", "bs=4096", "count=4", "status=none");
                Thread.sleep(20); // the used pages' age, in ms: at least a few
                Runs.sh("dd", "if=" + file, "of=/dev/null", "bs=4096", "count=1", "skip=4", "status=none");
                assertEquals(0, run.stop(Runs.READY), run.errors());
                String out = run.output();
                Matcher unused = Pattern.compile("Read-ahead unused pages: (-?\\d+)").matcher(out);
                assertTrue(unused.find(), out);
                assertTrue(out.contains("Histogram of read-ahead used page age (ms):") && out.contains("age (ms)"), out);
                long used = 0;
                Matcher m = Pattern.compile("^\\s*\\d+ -> \\d+\\s*: (\\d+)\\s*\\|", Pattern.MULTILINE).matcher(out);
                while (m.find()) used += Long.parseLong(m.group(1));
                // the fifth page, read ahead by the first read, is used by the second (other helpers' I/O may add more)
                assertTrue(used >= 1, out);
                assertTrue(Long.parseLong(unused.group(1)) >= 4, "more read ahead than used: " + out);
            }
        }
    }

    @Test
    void jsonCountThenHistogram() throws Exception {
        try (LoopDevice loop = LoopDevice.create(32)) {
            Path file = uncachedFile(loop);
            try (ToolRun run = Runs.started("readahead", "--json", "-d", "2")) {
                Runs.sh("dd", "if=" + file, "of=/dev/null", "bs=4096", "count=2", "status=none");
                assertEquals(0, run.await(Runs.READY), run.errors());
                assertEquals(2, run.lines().size(), run.output());
                assertTrue(Runs.json(run.lines().get(0)).get("unused_pages").asLong() >= 1, run.output());
                JsonNode h = Runs.json(run.lines().get(1));
                assertEquals("age (ms)", h.get("val_type").asText());
            }
        }
    }

    @Test
    void theCForKprobesAndFentryCompilesAndTheKprobeOneLoads() {
        Map<String, Object> defines = Map.of("MAX_PAGES_PER_READ", 256);
        Variants.verify(Variants.compile(Readahead.class, "readahead.bpf.c", Readahead.KPROBES, defines));
        Variants.compile(Readahead.class, "readahead.bpf.c", Readahead.FENTRY, defines);
    }
}
