package dev.jbcc.tools.other;

import dev.jbcc.tools.Gated;
import dev.jbcc.tools.LoopDevice;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * btrfsslower and btrfsdist (see {@link FileSystemToolTests}) on a 128 MiB btrfs, and bcc's
 * btrfsslower's -j and its own {@code -d DURATION}.
 */
class BtrfsTest extends FileSystemToolTests {
    BtrfsTest() {
        super(FileSystemOps.BTRFS, 128, LoopDevice::mountBtrfs);
    }

    @Test
    void aDurationOfNoSecondsIsAUsageError() throws Exception {
        try (ToolRun run = ToolRun.start("btrfsslower", "-d", "0")) {
            assertEquals(2, run.await(Runs.READY));
            assertEquals("jbcc: duration must be positive, not 0 (usage: jbcc btrfsslower --help)", run.errors());
        }
    }

    @Test
    @Tag("kprobes")
    void slowerPrintsTheWritersOperationsAsCsv() throws Exception {
        try (Mounted fs = mounted()) {
            Path file = fs.newFile();
            try (Gated dd = writer(file); ToolRun run = Runs.started("btrfsslower", "-j", "-p", Long.toString(dd.pid()), "0")) {
                assertEquals(0, dd.run());
                run.awaitLine(l -> l.contains(",S,") && l.endsWith("," + file.getFileName()), Runs.EVENT)
                        .orElseThrow(() -> new AssertionError("no fsync: " + run.output() + run.errors()));
                assertEquals(0, run.stop(Runs.READY), run.errors());
                assertEquals("ENDTIME_us,TASK,PID,TYPE,BYTES,OFFSET_b,LATENCY_us,FILE", run.lines().getFirst());
                List<List<String>> writes = run.lines().stream().skip(1).map(l -> List.of(l.split(",", -1)))
                        .filter(r -> r.get(7).equals(file.getFileName().toString()) && r.get(3).equals("W")).toList();
                assertEquals(2, writes.size(), run.output());
                for (List<String> w : writes) assertEquals(List.of("dd", Long.toString(dd.pid())), w.subList(1, 3));
                assertEquals(List.of("8192", "0"), writes.get(0).subList(4, 6));
                assertEquals(List.of("8192", "8192"), writes.get(1).subList(4, 6));
            }
        }
    }

    /** The duration counts from the tool's start, its compile included (Session.pollUntilStopped). */
    @Test
    @Tag("kprobes")
    void slowerEndsByItselfAfterItsDuration() throws Exception {
        try (ToolRun run = ToolRun.start("btrfsslower", "-d", "1")) {
            assertEquals(0, run.await(Runs.READY), run.errors());
            assertEquals(List.of("Tracing btrfs operations slower than 10 ms", FileSystemOps.BTRFS.columns().header()),
                    run.lines().subList(0, 2));
        }
    }
}
