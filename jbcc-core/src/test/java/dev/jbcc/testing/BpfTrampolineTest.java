package dev.jbcc.testing;

import dev.jbcc.AttachType;
import dev.jbcc.BpfMap;
import dev.jbcc.MapType;
import dev.jbcc.Program;
import dev.jbcc.ProgramType;
import dev.jbcc.TestRun;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.spec.MapSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An fentry and an fexit program loaded by jbcc, attached with BPF_RAW_TRACEPOINT_OPEN and run
 * by a real call of their kernel function. A stand-in for the attach layer's fentry/fexit tests;
 * keep it then as the check of the VM suite's kernel (the host refuses these loads).
 */
@RequiresFentry
@ExtendWith(FdLeakCheck.class)
class BpfTrampolineTest {
    /** A kernel function that exists to be traced: BPF_PROG_TEST_RUN of a tracing program calls it once. */
    private static final String TARGET = "bpf_fentry_test1";

    @Test
    void fentryAndFexitRunAroundTheirFunction() {
        try (BpfMap counts = BpfMap.create(MapSpec.of("jbcc_counts", MapType.ARRAY, 4, 16, 1));
             Program fentry = Program.load(CountingPrograms.counter(ProgramType.TRACING, AttachType.TRACE_FENTRY,
                     TARGET, counts, 0, 0));
             Program fexit = Program.load(CountingPrograms.counter(ProgramType.TRACING, AttachType.TRACE_FEXIT,
                     TARGET, counts, 8, 0))) {
            try (Fd entryLink = Bpf.rawTracepointOpen(null, fentry.handle(), 0);
                 Fd exitLink = Bpf.rawTracepointOpen(null, fexit.handle(), 0)) {
                assertEquals(0, CountingPrograms.count(counts, 0));
                fentry.testRun(new TestRun(null, 0, null, 0, 0, 0, 0));
                assertEquals(1, CountingPrograms.count(counts, 0), "fentry runs");
                assertEquals(1, CountingPrograms.count(counts, 8), "fexit runs");
            }
            // Detached: closing the links stops the programs.
            fentry.testRun(new TestRun(null, 0, null, 0, 0, 0, 0));
            assertEquals(1, CountingPrograms.count(counts, 0));
            assertEquals(1, CountingPrograms.count(counts, 8));
        }
    }
}
