package dev.jbcc.tools.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import dev.jbcc.tools.Variants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@org.junit.jupiter.api.Tag("vm")
class VfsstatTest {
    private static final int READS = 200, WRITES = 100, FSYNCS = 3, OPENS = 10;

    @TempDir
    Path dir;

    /** The test's own file I/O: {@link #OPENS} opens, then reads, writes and fsyncs on one file. */
    private void io() throws Exception {
        Path file = dir.resolve("f");
        for (int i = 0; i < OPENS; i++) {
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
        }
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            for (int i = 0; i < WRITES; i++) f.write(one.clear(), i);
            for (int i = 0; i < READS; i++) f.read(one.clear(), i % WRITES);
            for (int i = 0; i < FSYNCS; i++) f.force(true);
        }
    }

    @Test
    void countsTheTestsReadsWritesFsyncsAndOpens() throws Exception {
        try (ToolRun run = Runs.started("vfsstat", "-p", String.valueOf(ProcessHandle.current().pid()))) {
            assertEquals("TIME         READ/s  WRITE/s CREATE/s   OPEN/s  FSYNC/s", run.lines().getFirst());
            io();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            long[] sums = new long[5];
            List<String> lines = run.lines().subList(1, run.lines().size());
            assertTrue(!lines.isEmpty(), "a summary on stop at least");
            for (String l : lines) {
                assertTrue(l.matches("\\d\\d:\\d\\d:\\d\\d:( +\\d+){5}"), l);
                List<String> c = Runs.columns(l, 6);
                for (int i = 0; i < 5; i++) sums[i] += Long.parseLong(c.get(i + 1));
            }
            String all = String.join("\n", run.lines());
            assertTrue(sums[0] >= READS, "reads: " + all);
            assertTrue(sums[1] >= WRITES, "writes: " + all);
            assertTrue(sums[3] >= OPENS + 1, "opens: " + all);
            assertTrue(sums[4] >= FSYNCS, "fsyncs: " + all);
        }
    }

    @Test
    void jsonIntervalAndCount() throws Exception {
        try (ToolRun run = Runs.started("vfsstat", "--json", "-p", String.valueOf(ProcessHandle.current().pid()), "2", "1")) {
            io();
            assertEquals(0, run.await(Runs.READY), run.errors());
            assertEquals(1, run.lines().size(), run.output());
            JsonNode e = Runs.json(run.lines().getFirst());
            List<String> keys = new java.util.ArrayList<>();
            e.fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("time", "read_s", "write_s", "create_s", "open_s", "fsync_s"), keys);
            assertTrue(e.get("read_s").asLong() >= READS / 2, "per second over 2 s: " + e);
        }
    }

    @Test
    void kprobeAndFentryVariantsCompileForTheVfsFunctions() {
        Map<String, Object> defines = Map.of("FILTER_PID", -1, "HAVE_OPEN", 1);
        List<String> kprobes = Variants.sections(Vfsstat.class, "vfsstat.bpf.c", "HOOK_KPROBE", defines);
        assertTrue(kprobes.containsAll(List.of("kprobe/vfs_read", "kprobe/vfs_write", "kprobe/vfs_fsync_range", "kprobe/vfs_open",
                "kprobe/vfs_create")), kprobes.toString());
        List<String> fentry = Variants.sections(Vfsstat.class, "vfsstat.bpf.c", "HOOK_FENTRY", defines);
        assertTrue(fentry.containsAll(List.of("fentry/vfs_read", "fentry/vfs_write", "fentry/vfs_fsync_range", "fentry/vfs_open",
                "fentry/vfs_create")), fentry.toString());
    }

    @Test
    void aZeroIntervalIsAUsageError() throws Exception {
        ToolRun run = ToolRun.start("vfsstat", "0");
        assertEquals(2, run.await(Runs.READY));
        assertEquals("jbcc: interval must be positive, not 0 (usage: jbcc vfsstat --help)", run.errors());
    }
}
