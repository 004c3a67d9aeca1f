package dev.jbcc;

import dev.jbcc.errors.FormatException;
import dev.jbcc.features.KernelVersion;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class KernelInfoTest {
    @Test
    void parsesReleaseStrings() {
        assertEquals(new KernelVersion(6, 1, 0), KernelVersion.parse("6.1.0-28-amd64"));
        assertEquals(new KernelVersion(6, 18, 44), KernelVersion.parse("6.18.44-fc-v669"));
        assertEquals(new KernelVersion(5, 4, 0), KernelVersion.parse("5.4"));
        assertEquals((4 << 16) + (19 << 8) + 255, new KernelVersion(4, 19, 300).code());
        assertThrows(FormatException.class, () -> KernelVersion.parse("linux"));
    }

    @Test
    void currentVersionMatchesUname() throws Exception {
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        KernelVersion v = KernelVersion.current();
        assertTrue(release.startsWith(v.major() + "." + v.minor()), release + " vs " + v);
    }

    @Test
    void parsesKconfigText() throws Exception {
        String text = "# comment\nCONFIG_A=y\nCONFIG_B=m\nCONFIG_HZ=250\nCONFIG_S=\"x y\"\n# CONFIG_C is not set\n";
        var cfg = KernelConfig.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        assertTrue(cfg.isEnabled("CONFIG_A"));
        assertTrue(cfg.isEnabled("CONFIG_B"));
        assertFalse(cfg.isEnabled("CONFIG_C"));
        assertEquals("250", cfg.value("CONFIG_HZ").orElseThrow());
        assertEquals("\"x y\"", cfg.value("CONFIG_S").orElseThrow());
        assertTrue(cfg.value("CONFIG_C").isEmpty());
    }

    @Test
    void runningKernelHasBpfSyscall() {
        // Every kernel jbcc runs on has the bpf syscall; a config that says otherwise was misread.
        var cfg = KernelConfig.current();
        assertTrue(cfg.isKnown(), "no /proc/config.gz or /boot/config-RELEASE on this machine");
        assertTrue(cfg.isEnabled("CONFIG_BPF_SYSCALL"));
    }
}
