package dev.jbcc.features;

import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The link-kind probes: a kernel at or above a feature's minimum version must report it. */
@ExtendWith(FdLeakCheck.class)
class LinkFeaturesTest {
    @Test
    void perfEventLinksFrom515() {
        boolean have = Features.haveBpfLinkPerfEvent();
        if (KernelVersion.current().atLeast(5, 15)) assertTrue(have, "Linux " + KernelVersion.current() + " has them");
        if (!have) {
            var e = assertThrows(UnsupportedFeatureException.class, Features::requireBpfLinkPerfEvent);
            assertEquals("5.15", e.minimumKernel());
        } else {
            Features.requireBpfLinkPerfEvent();
        }
        assertEquals(have, Features.haveBpfLinkPerfEvent(), "cached answer is the same");
    }

    @Test
    void kprobeMultiNeedsFprobeAsWellAsTheVersion() throws Exception {
        boolean have = Features.haveKprobeMulti();
        if (!KernelVersion.current().atLeast(5, 18)) assertFalse(have);
        // The build config decides on newer kernels; where /proc/config.gz exists, it must agree.
        Path config = Path.of("/proc/config.gz");
        if (Files.exists(config)) {
            String text;
            try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(config))) {
                text = new String(in.readAllBytes());
            }
            boolean fprobe = text.contains("\nCONFIG_FPROBE=y");
            if (KernelVersion.current().atLeast(5, 18)) assertEquals(fprobe, have, "CONFIG_FPROBE=" + fprobe);
        }
        if (!have) {
            var e = assertThrows(UnsupportedFeatureException.class, Features::requireKprobeMulti);
            assertEquals("5.18", e.minimumKernel());
            assertTrue(e.getMessage().contains("CONFIG_FPROBE"), e.getMessage());
        }
    }
}
