package dev.jbcc.tools.other;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import dev.jbcc.tools.Variants;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * virtiostat in the VM, whose root file system is the host's, shared over virtio 9p: looking up
 * names that are not there makes the 9p driver send a request per name through its virtqueue.
 */
class VirtiostatTest {
    private static final int LOOKUPS = 200;
    private static final String NINE_P = "9pnet_virtio";

    @Test
    void withoutKprobesItSaysSoInOneLine() throws Exception {
        if (Features.haveKprobes()) {
            theRequestsOfThe9pShare(); // the VM: the real thing
            return;
        }
        Variants.refusedWithoutKprobesOrFentry("virtiostat", "1", "1");
    }

    @Test
    void theCForKprobesAndFentryCompilesAndTheKprobeOneLoads() {
        Variants.verify(Variants.compile(Virtiostat.class, "virtiostat.bpf.c", Virtiostat.KPROBES, Map.of()));
        Variants.compile(Virtiostat.class, "virtiostat.bpf.c", Virtiostat.FENTRY, Map.of());
    }

    /** Looks up names no directory of / has: each one a 9p request on the VM. */
    private static void lookUpMissingNames() {
        for (int i = 0; i < LOOKUPS; i++) assertFalse(Files.exists(Path.of("/usr/jbcc-virtiostat-" + UUID.randomUUID())));
    }

    /** The VM's 9p devices ({@code virtio0} …), from sysfs. */
    private static List<String> ninePDevices() throws Exception {
        try (var links = Files.list(Path.of("/sys/bus/virtio/drivers", NINE_P))) {
            return links.map(p -> p.getFileName().toString()).filter(n -> n.matches("virtio\\d+")).toList();
        }
    }

    @Test
    @Tag("kprobes")
    void theRequestsOfThe9pShare() throws Exception {
        List<String> devices = ninePDevices();
        assertFalse(devices.isEmpty(), "no 9p virtio device in /sys/bus/virtio/drivers/" + NINE_P);
        try (ToolRun run = Runs.started("virtiostat", "-T", "1")) {
            lookUpMissingNames();
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines();
            assertTrue(lines.getFirst().matches("\\d\\d:\\d\\d:\\d\\d"), run.output());
            assertEquals("        Driver   Device    VQ Name  In SGs Out SGs          In BW         Out BW", lines.get(1));
            long out = 0, in = 0, inBytes = 0, outBytes = 0;
            for (String l : lines) {
                if (!l.trim().startsWith(NINE_P)) continue;
                List<String> c = Runs.columns(l, 7);
                assertTrue(devices.contains(c.get(1)), c.get(1) + " is not one of " + devices);
                in += Long.parseLong(c.get(3));
                out += Long.parseLong(c.get(4));
                inBytes += Long.parseLong(c.get(5));
                outBytes += Long.parseLong(c.get(6));
            }
            // a request is one list out (the message) and one in (the reply), each of some bytes
            assertTrue(out >= LOOKUPS && in >= LOOKUPS && outBytes > out && inBytes > in, run.output());
        }
        try (ToolRun run = Runs.started("virtiostat", "--json", "-d", NINE_P, "1", "1")) {
            lookUpMissingNames();
            assertEquals(0, run.await(Runs.READY), run.errors());
            long out = 0;
            for (String l : run.lines()) {
                JsonNode q = Runs.json(l);
                assertEquals(NINE_P, q.get("driver").asText(), l);
                assertTrue(devices.contains(q.get("device").asText()), l);
                out += q.get("out_sgs").asLong();
            }
            assertTrue(out >= LOOKUPS, run.output());
        }
    }
}
