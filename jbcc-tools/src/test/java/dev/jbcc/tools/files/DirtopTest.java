package dev.jbcc.tools.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import dev.jbcc.tools.Variants;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dirtop on reads and writes the test does below two directories of its own (one named by a
 * glob): on the host through the system calls' tracepoints, in the VM through vfs_read/vfs_write.
 * Tagged vm: the VM runs the kprobe variant.
 */
@Tag("vm")
class DirtopTest {
    @TempDir
    Path dir;

    @Test
    void sumsTheTestsIoPerDirectory() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path written = Files.createDirectories(dir.resolve("aa-" + tag).resolve("below"));
        Path read = Files.createDirectory(dir.resolve("bb-" + tag));
        Files.write(read.resolve("data"), new byte[8192]);
        String dirs = written.getParent() + "," + dir.resolve("bb-*");
        try (ToolRun run = Runs.started("dirtop", "--verbose", "--json", "-p", Long.toString(ProcessHandle.current().pid()), "-d", dirs, "1")) {
            assertTrue(run.errors().contains("Considering " + written.getParent() + " with inode_id "), run.errors());
            assertTrue(run.errors().contains("Considering " + read + " with inode_id "), run.errors());
            assertTrue(run.errors().contains(Features.haveKprobes() ? "using kprobe vfs_read" : "using tracepoint syscalls:sys_enter_read"),
                    "kprobes where the kernel has them: " + run.errors());
            try (FileChannel w = FileChannel.open(written.resolve("data"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileChannel r = FileChannel.open(read.resolve("data"))) {
                for (int i = 0; i < 3; i++) assertEquals(4096, w.write(ByteBuffer.allocate(4096)));
                for (int i = 0; i < 2; i++) assertEquals(2048, r.read(ByteBuffer.allocate(2048)));
            }
            long[] a = sum(run, written.getParent().toString(), t -> t[1] >= 3);
            long[] b = sum(run, read.toString(), t -> t[0] >= 2);
            assertEquals(List.of(0L, 3L, 0L, 12L), List.of(a[0], a[1], a[2], a[3]), "reads, writes, R_Kb, W_Kb of " + written.getParent());
            assertEquals(List.of(2L, 0L, 4L, 0L), List.of(b[0], b[1], b[2], b[3]), "reads, writes, R_Kb, W_Kb of " + read);
            assertEquals(0, run.stop(Runs.READY), run.errors());
        }
    }

    @Test
    void columnsAndCount() throws Exception {
        Path watched = Files.createDirectory(dir.resolve("cc-" + UUID.randomUUID().toString().substring(0, 8)));
        try (ToolRun run = Runs.started("dirtop", "-C", "-s", "wbytes", "-d", watched.toString(), "1", "2")) {
            Files.write(watched.resolve("f"), new byte[3000]);
            assertEquals(0, run.await(Runs.READY), run.errors());
            List<String> lines = run.lines();
            assertTrue(lines.getFirst().isEmpty(), lines.toString());
            assertTrue(lines.get(1).matches("\\d\\d:\\d\\d:\\d\\d loadavg: .+"), lines.toString());
            assertEquals("READS  WRITES R_Kb     W_Kb     PATH", lines.get(3));
            assertEquals("Detaching...", lines.getLast());
            long writes = lines.stream().filter(l -> l.endsWith(" " + watched)).mapToLong(l -> Long.parseLong(Runs.columns(l, 5).get(1))).sum();
            assertTrue(writes >= 1, "Files.write's write(s): " + lines);
        }
    }

    @Test
    void badInputIsOneLine() throws Exception {
        try (ToolRun run = ToolRun.start("dirtop", "-d", dir.resolve("none-*").toString())) {
            assertEquals(1, run.await(Runs.READY));
            assertTrue(run.errors().contains("no directory matches " + dir.resolve("none-*")), run.errors());
            assertEquals(1, run.errors().lines().count(), run.errors());
        }
        try (ToolRun run = ToolRun.start("dirtop")) {
            assertEquals(2, run.await(Runs.READY));
            assertTrue(run.errors().contains("-d"), run.errors());
        }
    }

    @Test
    void itsKprobesCompileAndVerifyForThisKernel() {
        var program = Variants.compile(Dirtop.class, "dirtop.bpf.c", Dirtop.KPROBE, Dirtop.defines(-1, List.of(2L, 3L)));
        assertEquals(List.of("kprobe/vfs_read", "kprobe/vfs_write"), program.functions().stream().map(f -> f.section()).toList());
        Variants.verify(program);
    }

    /** reads, writes, R_Kb, W_Kb of {@code path} summed over the JSON rows until {@code enough}. */
    private static long[] sum(ToolRun run, String path, java.util.function.Predicate<long[]> enough) throws InterruptedException {
        long deadline = System.nanoTime() + Runs.EVENT.toNanos();
        long[] total = new long[4];
        int seen = 0;
        while (System.nanoTime() < deadline) {
            List<String> lines = run.lines();
            for (; seen < lines.size(); seen++) {
                JsonNode row = Runs.json(lines.get(seen));
                if (!row.get("path").asText().equals(path)) continue;
                total[0] += row.get("reads").asLong();
                total[1] += row.get("writes").asLong();
                total[2] += row.get("r_kb").asLong();
                total[3] += row.get("w_kb").asLong();
            }
            if (enough.test(total)) return total;
            Thread.sleep(100);
        }
        throw new AssertionError("not enough I/O for " + path + ": " + run.output() + run.errors());
    }
}
