package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
import dev.jbcc.tools.Gated;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * capable on a chown(2) of the test's own (root giving a file away checks CAP_CHOWN). On a kernel
 * with kprobes the check's audit flag is seen; on the capability:cap_capable tracepoint it is not.
 */
class CapableTest {
    private Path file;

    @BeforeEach
    void file() throws Exception {
        file = Files.createTempFile("jbcc-capable", ".txt");
    }

    @AfterEach
    void remove() throws Exception {
        Files.deleteIfExists(file);
    }

    private static String audit() {
        return Features.haveKprobes() ? "1" : "N/A";
    }

    @Test
    void showsTheChownCheckOfOneProcess() throws Exception {
        try (Gated chown = new Gated("chown 4242:4242 " + file);
             ToolRun run = Runs.started("capable", "-x", "-p", Long.toString(chown.pid()))) {
            assertEquals("TIME      UID    PID    TID    COMM             CAP  NAME                 AUDIT  INSETID", run.lines().getFirst());
            assertEquals(0, chown.run());
            String line = run.awaitLine(l -> l.contains(" CAP_CHOWN "), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError("no CAP_CHOWN check: " + run.output() + run.errors()));
            List<String> c = Runs.columns(line, 9);
            assertEquals("0", c.get(1), "root's check");
            assertEquals(chown.pid(), Long.parseLong(c.get(2)));
            assertEquals(chown.pid(), Long.parseLong(c.get(3)), "single-threaded: TID is PID");
            assertEquals("chown", c.get(4));
            assertEquals("0", c.get(5));
            assertEquals(audit(), c.get(7));
            for (String l : run.lines().subList(1, run.lines().size())) assertEquals(chown.pid(), Long.parseLong(Runs.columns(l, 9).get(2)), l);
        }
    }

    @Test
    void jsonWithKernelStack() throws Exception {
        try (Gated chown = new Gated("chown 4242:4242 " + file);
             ToolRun run = Runs.started("capable", "--json", "-K", "-p", Long.toString(chown.pid()))) {
            assertEquals(0, chown.run());
            String line = run.awaitLine(l -> l.contains("\"CAP_CHOWN\""), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError("no CAP_CHOWN check: " + run.output() + run.errors()));
            JsonNode e = Runs.json(line);
            assertEquals(chown.pid(), e.get("pid").asLong());
            assertEquals(0, e.get("cap").asInt());
            assertEquals("chown", e.get("comm").asText());
            assertEquals(Features.haveKprobes() ? "1" : null, e.get("audit").isNull() ? null : e.get("audit").asText());
            String stack = e.get("kernel_stack").toString();
            assertTrue(stack.contains("chown"), "the check is made on chown's path: " + stack);
        }
    }
}
