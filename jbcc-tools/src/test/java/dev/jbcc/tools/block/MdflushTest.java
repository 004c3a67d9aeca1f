package dev.jbcc.tools.block;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
import dev.jbcc.tools.LoopDevice;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import dev.jbcc.tools.Variants;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mdflush on a RAID1 of two loop devices of the test's own: dd writing to the array with
 * conv=fsync makes the array receive a flush from dd itself (fsync of a block device flushes it).
 */
class MdflushTest {
    @Test
    void withoutKprobesItSaysSoInOneLine() throws Exception {
        if (Features.haveKprobes()) {
            aFlushOfTheTestsArrayNamesItAndTheProcess(); // the VM: the real thing
            return;
        }
        Variants.refusedWithoutKprobesOrFentry("mdflush");
    }

    @Test
    void theCForKprobesAndFentryCompiles() {
        Variants.verify(Variants.compile(Mdflush.class, "mdflush.bpf.c", Mdflush.KPROBE, Map.of()));
        Variants.compile(Mdflush.class, "mdflush.bpf.c", Mdflush.FENTRY, Map.of());
    }

    @Test
    @Tag("kprobes")
    void aFlushOfTheTestsArrayNamesItAndTheProcess() throws Exception {
        try (LoopDevice a = LoopDevice.create(16); LoopDevice b = LoopDevice.create(16); Raid1 md = Raid1.create(a, b)) {
            try (ToolRun run = Runs.started("mdflush")) {
                assertEquals("TIME     PID     COMM             DEVICE", run.lines().getFirst());
                long pid = md.writeAndFsync();
                String row = run.awaitLine(l -> l.matches("\\d\\d:\\d\\d:\\d\\d " + pid + " +dd +" + md.name()), Runs.EVENT)
                        .orElseThrow(() -> new AssertionError(run.output() + run.errors()));
                assertEquals(List.of(String.valueOf(pid), "dd", md.name()), Runs.columns(row, 4).subList(1, 4));
            }
            try (ToolRun run = Runs.started("mdflush", "--json")) {
                long pid = md.writeAndFsync();
                JsonNode r = Runs.json(run.awaitLine(l -> l.contains("\"pid\":" + pid + ","), Runs.EVENT)
                        .orElseThrow(() -> new AssertionError(run.output() + run.errors())));
                assertEquals(md.name(), r.get("device").asText());
                assertEquals("dd", r.get("comm").asText());
            }
        }
    }

    /** An md RAID1 array of two loop devices, stopped on close. */
    private record Raid1(String device) implements AutoCloseable {
        static Raid1 create(LoopDevice a, LoopDevice b) throws Exception {
            // a number no other array on this machine has
            String device = null;
            for (int tries = 0; tries < 50 && device == null; tries++) {
                String d = "/dev/md" + ThreadLocalRandom.current().nextInt(100, 126);
                if (!Files.exists(Path.of("/sys/block/" + d.substring(5)))) device = d;
            }
            assertTrue(device != null, "no free md number");
            Runs.sh("mdadm", "--create", device, "--run", "--quiet", "--level=1", "--raid-devices=2", "--assume-clean",
                    "--metadata=1.2", "--homehost=any", a.device(), b.device());
            return new Raid1(device);
        }

        String name() {
            return device.substring("/dev/".length());
        }

        /** Writes a block to the array and fsyncs it: dd's PID. */
        long writeAndFsync() throws Exception {
            Process p = new ProcessBuilder("dd", "status=none", "if=/dev/zero", "of=" + device, "bs=4096", "count=1", "conv=fsync")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            return p.pid();
        }

        @Override
        public void close() throws Exception {
            Runs.sh("mdadm", "--stop", device);
        }
    }
}
