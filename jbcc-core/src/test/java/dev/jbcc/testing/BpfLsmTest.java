package dev.jbcc.testing;

import dev.jbcc.AttachType;
import dev.jbcc.BpfMap;
import dev.jbcc.MapType;
import dev.jbcc.Program;
import dev.jbcc.ProgramType;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.spec.MapSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The BPF LSM: active on the VM suite's kernel, and an LSM program loaded by jbcc runs on a real
 * file open. A stand-in for the attach layer's LSM tests; keep it then as the check of the VM's
 * kernel command line (lsm=...,bpf). The host refuses LSM loads.
 */
@RequiresBpfLsm
@ExtendWith(FdLeakCheck.class)
class BpfLsmTest {

    @Test
    void bpfIsAnActiveLsm() throws IOException {
        String active = Files.readString(KernelFeature.ACTIVE_LSMS).trim();
        assertTrue(Arrays.asList(active.split(",")).contains("bpf"), active);
    }

    @Test
    void fileOpenHookRunsOnOpen(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("lsm-trigger"), "jbcc");
        int thread = CountingPrograms.currentThreadId();
        try (BpfMap counts = BpfMap.create(MapSpec.of("jbcc_counts", MapType.ARRAY, 4, 8, 1));
             Program hook = Program.load(CountingPrograms.counter(ProgramType.LSM, AttachType.LSM_MAC,
                     "file_open", counts, 0, thread));
             Fd link = Bpf.rawTracepointOpen(null, hook.handle(), 0)) {
            long before = CountingPrograms.count(counts, 0);
            // The program returns 0, so it allows the open it counts.
            assertArrayEquals("jbcc".getBytes(), Files.readAllBytes(file));
            long after = CountingPrograms.count(counts, 0);
            assertTrue(after > before, "file_open ran " + (after - before) + " times in this thread");
            link.close();
            Files.readAllBytes(file);
            assertEquals(after, CountingPrograms.count(counts, 0), "the hook ran after its link closed");
        }
    }
}
