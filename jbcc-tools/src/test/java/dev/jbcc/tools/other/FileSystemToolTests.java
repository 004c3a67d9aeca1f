package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Gated;
import dev.jbcc.tools.LoopDevice;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import dev.jbcc.tools.Variants;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file system's slower and dist tools (ext4slower and ext4dist, ...) on a file system of that kind
 * the test makes on a loop device of its own, with a file one dd writes in two blocks and fsyncs.
 * They need kprobes or fentry (file systems have no tracepoints there): where the kernel has
 * neither, they say so in one line. A subclass names the file system.
 */
abstract class FileSystemToolTests {
    /** Makes the file system on a loop device and mounts it; the mount point. */
    interface Mount {
        Path mount(LoopDevice loop) throws IOException, InterruptedException;
    }

    private final FileSystemOps ops;
    private final String tool;
    private final int megabytes;
    private final Mount mount;

    /**
     * @param ops       the file system's operations
     * @param megabytes the size of a loop device it fits on
     * @param mount     makes it on a loop device and mounts it
     */
    FileSystemToolTests(FileSystemOps ops, int megabytes, Mount mount) {
        this.ops = ops;
        this.tool = ops.name().toLowerCase(Locale.ROOT);
        this.megabytes = megabytes;
        this.mount = mount;
    }

    /** The file system's operations. */
    final FileSystemOps ops() {
        return ops;
    }

    /** The tools' prefix: {@code ext4} for ext4slower and ext4dist. */
    final String tool() {
        return tool;
    }

    /** A new loop device big enough for the file system, the file system made on it and mounted. */
    final Mounted mounted() throws IOException, InterruptedException {
        LoopDevice loop = LoopDevice.create(megabytes);
        try {
            return new Mounted(loop, mount.mount(loop));
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            loop.close();
            throw e;
        }
    }

    /** A loop device and where its file system is mounted; closing unmounts and removes it. */
    record Mounted(LoopDevice loop, Path dir) implements AutoCloseable {
        /** A new file's path in the file system. */
        Path newFile() {
            return dir.resolve("jbcc-" + UUID.randomUUID().toString().substring(0, 8));
        }

        @Override
        public void close() throws IOException, InterruptedException {
            loop.close();
        }
    }

    private boolean hooked() {
        return ops().kprobes().missing() == null || ops().fentry().missing() == null;
    }

    @Test
    void withoutKprobesOrFentryBothSayWhatIsMissing() throws Exception {
        for (String tool : List.of(tool() + "slower", tool() + "dist")) {
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
            Map<String, Object> defines = ops().defines(Map.of("FILTER_PID", 42, "DIST", dist, "FACTOR", 1000, "MIN_US", 0));
            var kprobes = Variants.compile(FileSystemSlower.class, FileSystemOps.RESOURCE, ops().kprobes(), defines);
            var fentry = Variants.compile(FileSystemSlower.class, FileSystemOps.RESOURCE, ops().fentry(), defines);
            List<String> sections = new java.util.ArrayList<>();
            for (String f : ops().functions()) sections.addAll(List.of("kprobe/" + f, "kretprobe/" + f));
            assertEquals(sections.stream().sorted().toList(),
                    kprobes.functions().stream().map(f -> f.section()).sorted().toList());
            assertEquals(sections.stream().map(s -> s.replace("kprobe/", "fentry/").replace("kretprobe/", "fexit/")).sorted().toList(),
                    fentry.functions().stream().map(f -> f.section()).sorted().toList());
            Variants.verify(kprobes);
        }
    }

    /** A file written in two 8 KiB blocks and fsync'd by one dd whose PID is known beforehand. */
    static Gated writer(Path file) throws Exception {
        return new Gated("dd if=/dev/zero of=" + file + " bs=8192 count=2 conv=fsync status=none");
    }

    @Test
    @Tag("kprobes")
    void slowerShowsEachOperationOfTheTestsWriter() throws Exception {
        String tool = tool() + "slower";
        try (Mounted fs = mounted()) {
            Path file = fs.newFile();
            try (Gated dd = writer(file); ToolRun run = Runs.started(tool, "-p", Long.toString(dd.pid()), "0")) {
                assertEquals("Tracing " + ops().name() + " operations", run.lines().getFirst());
                assertEquals(ops().columns().header(), run.lines().get(1));
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
                assertEquals(1, rows.stream().filter(r -> r.get(3).equals("S")).count(), run.output());
                for (List<String> r : rows) {
                    assertEquals("dd", r.get(1));
                    assertEquals(dd.pid(), Long.parseLong(r.get(2)));
                    assertTrue(r.get(0).matches("\\d\\d:\\d\\d:\\d\\d"), r.toString());
                    assertTrue(Double.parseDouble(r.get(6)) >= 0, r.toString());
                }
            }
        }
    }

    @Test
    @Tag("kprobes")
    void distHasAHistogramPerOperationInJson() throws Exception {
        String tool = tool() + "dist";
        try (Mounted fs = mounted()) {
            Path file = fs.newFile();
            try (Gated dd = writer(file); ToolRun run = Runs.started(tool, "--json", "-p", Long.toString(dd.pid()))) {
                assertEquals(0, dd.run());
                assertEquals(0, run.stop(Runs.READY), run.errors());
                Map<String, Long> counts = new TreeMap<>();
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
