package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Gated;
import dev.jbcc.tools.LoopDevice;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import dev.jbcc.tools.Variants;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ext4slower and ext4dist on an ext4 file system the test makes on a loop device of its own, with
 * a file it writes, fsyncs and reads back. They need kprobes or fentry (ext4 has no tracepoints
 * there): where the kernel has neither, they say so in one line.
 */
class Ext4Test {
    private static boolean hooked() {
        return Ext4.KPROBES.missing() == null || Ext4.FENTRY.missing() == null;
    }

    @Test
    void withoutKprobesOrFentryBothSayWhatIsMissing() throws Exception {
        for (String tool : List.of("ext4slower", "ext4dist")) {
            try (ToolRun run = ToolRun.start(tool)) {
                if (hooked()) {
                    assertTrue(run.awaitReady(Runs.READY), tool + ": " + run.errors());
                    continue;
                }
                assertEquals(1, run.await(Runs.READY), run.errors());
                String error = run.errors();
                assertEquals(1, error.lines().count(), error);
                assertTrue(error.startsWith("jbcc: ") && error.contains("kprobe: ") && error.contains("fentry: "), error);
            }
        }
    }

    @Test
    void theCForEveryHookCompilesAndTheKprobeOneLoads() {
        for (int dist = 0; dist <= 1; dist++) {
            Map<String, Object> defines = Map.of("FILTER_PID", 42, "DIST", dist, "FACTOR", 1000, "MIN_US", 0);
            Variants.verify(Variants.compile(Ext4slower.class, "ext4.bpf.c", Ext4.KPROBES, defines));
            Variants.compile(Ext4slower.class, "ext4.bpf.c", Ext4.FENTRY, defines);
        }
    }

    /** A file written in two 8 KiB blocks, fsync'd, then read, by one dd whose PID is known beforehand. */
    private static Gated writer(Path file) throws Exception {
        return new Gated("dd if=/dev/zero of=" + file + " bs=8192 count=2 conv=fsync status=none");
    }

    @Test
    @Tag("kprobes")
    void ext4slowerShowsEachOperationOfTheTestsWriter() throws Exception {
        try (LoopDevice loop = LoopDevice.create(32)) {
            Path file = loop.mountExt4().resolve("jbcc-" + UUID.randomUUID().toString().substring(0, 8));
            try (Gated dd = writer(file); ToolRun run = Runs.started("ext4slower", "-p", Long.toString(dd.pid()), "0")) {
                assertEquals("Tracing ext4 operations", run.lines().getFirst());
                assertEquals("TIME     COMM           PID    T BYTES   OFF_KB   LAT(ms) FILENAME", run.lines().get(1));
                assertEquals(0, dd.run());
                run.awaitLine(l -> l.contains(" S ") && l.endsWith(file.getFileName().toString()), Runs.EVENT)
                        .orElseThrow(() -> new AssertionError("no fsync: " + run.output() + run.errors()));
                assertEquals(0, run.stop(Runs.READY), run.errors());
                List<List<String>> rows = run.lines().subList(2, run.lines().size()).stream()
                        .filter(l -> l.endsWith(" " + file.getFileName())).map(l -> Runs.columns(l, 8)).toList();
                assertEquals("O", rows.getFirst().get(3), "opened first: " + run.output());
                List<List<String>> writes = rows.stream().filter(r -> r.get(3).equals("W")).toList();
                assertEquals(2, writes.size(), run.output());
                assertEquals(List.of("8192", "0"), writes.get(0).subList(4, 6));
                assertEquals(List.of("8192", "8"), writes.get(1).subList(4, 6));
                for (List<String> r : rows) {
                    assertEquals("dd", r.get(1));
                    assertEquals(dd.pid(), Long.parseLong(r.get(2)));
                }
            }
        }
    }

    @Test
    @Tag("kprobes")
    void ext4distHasAHistogramPerOperationInJson() throws Exception {
        try (LoopDevice loop = LoopDevice.create(32)) {
            Path file = loop.mountExt4().resolve("jbcc-" + UUID.randomUUID().toString().substring(0, 8));
            try (Gated dd = writer(file); ToolRun run = Runs.started("ext4dist", "--json", "-p", Long.toString(dd.pid()))) {
                assertEquals(0, dd.run());
                assertEquals(0, run.stop(Runs.READY), run.errors());
                Map<String, Long> counts = new java.util.TreeMap<>();
                for (String line : run.lines()) {
                    JsonNode h = Runs.json(line);
                    assertEquals("usecs", h.get("val_type").asText());
                    long n = 0;
                    for (JsonNode slot : h.get("data")) n += slot.get("count").asLong();
                    counts.put(h.get("operation").asText(), n);
                }
                assertEquals(2, counts.get("write"), run.output());
                assertEquals(1, counts.get("fsync"), run.output());
                assertTrue(counts.get("open") >= 1, run.output());
            }
        }
    }
}
