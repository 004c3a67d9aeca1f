package dev.jbcc.usdt;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jbcc.errors.FormatException;
import dev.jbcc.elf.ElfFile;
import dev.jbcc.obj.testing.FuzzSeeds;
import dev.jbcc.testing.NativeBinaries;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target: the {@code .note.stapsdt} probes of any ELF file, {@link Usdt#probes(ElfFile, String)},
 * are read or refused with FormatException, and there are no more sites than the notes' bytes allow.
 * Seeds: small executables with {@code <sys/sdt.h>} probes ({@code dev.jbcc.obj.testing.FuzzSeeds}).
 */
public class StapsdtFuzzTest {
    /** Writes the seeds: {@code args[0]} is the test resources directory. */
    public static void main(String[] args) throws IOException {
        Path root = FuzzSeeds.root(args);
        // Tiny: no libc, no build id, segments packed; with and without a symbol table.
        String[] flags = {"-O2", "-nostdlib", "-static", "-Wl,--build-id=none", "-Wl,-z,max-page-size=16",
                "-Wl,-z,noseparate-code"};
        FuzzSeeds.write(root, StapsdtFuzzTest.class, "stapsdtNotes", "static_probes",
                Files.readAllBytes(NativeBinaries.gcc("/usdt/fuzz_seed.c", "fuzz_seed", flags)));
        String[] stripped = java.util.Arrays.copyOf(flags, flags.length + 1);
        stripped[flags.length] = "-s";
        FuzzSeeds.write(root, StapsdtFuzzTest.class, "stapsdtNotes", "static_probes_stripped",
                Files.readAllBytes(NativeBinaries.gcc("/usdt/fuzz_seed.c", "fuzz_seed_stripped", stripped)));
    }

    @FuzzTest
    void stapsdtNotes(byte[] file) {
        List<UsdtProbe> probes;
        try {
            probes = Usdt.probes(ElfFile.of(file), "fuzzed");
        } catch (FormatException expected) {
            return;
        }
        long sites = probes.stream().mapToLong(p -> p.sites().size()).sum();
        // A stapsdt note is a 12-byte header, an 8-byte owner and at least 27 descriptor bytes.
        assertTrue(sites <= file.length / 47, sites + " sites from " + file.length + " bytes");
        for (UsdtProbe p : probes) {
            for (UsdtSite s : p.sites()) {
                assertTrue(s.arguments().size() <= file.length, "more arguments than bytes");
            }
        }
    }
}
