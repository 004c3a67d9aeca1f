package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import dev.jbcc.tools.Variants;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * klockstat on this JVM's own pipe: each write and read of a pipe takes the pipe's mutex, so
 * pipe_write and pipe_read show as callers, at least as often as the test wrote and read.
 */
class KlockstatTest {
    private static final int ROUNDS = 500;
    private static final Map<String, Object> DEFINES = Map.of("THREAD_FILTER", "(1)", "STACK_STORAGE", 1024);

    @Test
    void withoutKprobesItSaysSoInOneLine() throws Exception {
        if (Features.haveKprobes()) {
            thePipeMutexByCaller(); // the VM: the real thing
            return;
        }
        Variants.refusedWithoutKprobesOrFentry("klockstat", "-d", "1");
    }

    @Test
    void theCForKprobesAndFentryCompilesAndTheKprobeOneLoads() {
        Variants.verify(Variants.compile(Klockstat.class, "klockstat.bpf.c", Klockstat.KPROBES, DEFINES));
        Variants.compile(Klockstat.class, "klockstat.bpf.c", Klockstat.FENTRY, DEFINES);
    }

    @Test
    void aBadSortFieldIsAUsageError() throws Exception {
        ToolRun run = ToolRun.start("klockstat", "-S", "acq_mean");
        assertEquals(2, run.await(Runs.READY));
        assertTrue(run.errors().contains("wrong sort field acq_mean"), run.errors());
    }

    /** Writes a byte into a pipe of this JVM and reads it back, ROUNDS times. */
    private static void pipeRounds() throws Exception {
        Pipe pipe = Pipe.open();
        try (var sink = pipe.sink(); var source = pipe.source()) {
            ByteBuffer b = ByteBuffer.allocate(1);
            for (int i = 0; i < ROUNDS; i++) {
                b.clear();
                sink.write(b);
                b.clear();
                assertEquals(1, source.read(b));
            }
        }
    }

    @Test
    @Tag("kprobes")
    void thePipeMutexByCaller() throws Exception {
        String self = String.valueOf(ProcessHandle.current().pid());
        try (ToolRun run = Runs.started("klockstat", "-p", self, "-c", "pipe_", "-s", "3")) {
            pipeRounds();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines();
            int spin = lines.indexOf("                                  Caller   Avg Spin  Count   Max spin Total spin");
            int hold = lines.indexOf("                                  Caller   Avg Hold  Count   Max hold Total hold");
            assertTrue(spin >= 0 && hold > spin, run.output());
            for (List<String> table : List.of(lines.subList(spin + 1, hold), lines.subList(hold + 1, lines.size()))) {
                long writes = 0, reads = 0;
                for (int i = 0; i < table.size(); i++) {
                    String l = table.get(i);
                    if (l.isBlank() || !l.matches(" *\\S+ +\\d+ +\\d+ +\\d+ +\\d+")) continue;
                    List<String> c = Runs.columns(l, 5);
                    assertTrue(c.get(0).contains("pipe_"), l); // -c
                    long count = Long.parseLong(c.get(2)), max = Long.parseLong(c.get(3)), total = Long.parseLong(c.get(4));
                    assertTrue(max <= total && Long.parseLong(c.get(1)) == total / count, l);
                    // -s 3: the caller again under its row (as bcc), then its own caller
                    assertEquals(c.get(0), table.get(i + 1).trim(), run.output());
                    // pipe_read and pipe_write lock the pipe through an inline helper (should it be a call, the frame after it)
                    String site = c.get(0).startsWith("__pipe_lock") ? table.get(i + 2).trim() : c.get(0);
                    if (site.startsWith("pipe_write+0x")) writes += count;
                    if (site.startsWith("pipe_read+0x")) reads += count;
                }
                assertTrue(writes >= ROUNDS && reads >= ROUNDS, writes + " writes, " + reads + " reads:\n" + run.output());
            }
        }
        try (ToolRun run = Runs.started("klockstat", "--json", "-p", self, "-c", "pipe_", "-d", "3")) {
            pipeRounds();
            assertEquals(0, run.await(Runs.READY), run.errors());
            long acquired = 0;
            for (String l : run.lines()) {
                JsonNode r = Runs.json(l);
                assertTrue(r.get("caller").asText().contains("pipe_"), l);
                if (r.get("table").asText().equals("acquire")) acquired += r.get("count").asLong();
                assertEquals(1, r.get("stack").size(), l); // -s 1, the default: the caller
            }
            assertTrue(acquired >= ROUNDS, run.output());
        }
    }
}
