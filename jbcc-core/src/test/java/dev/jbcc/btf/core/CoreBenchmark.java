package dev.jbcc.btf.core;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfExt;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: times resolving the relocations of {@code bpf/core/core.c} against the kernel's BTF,
 * the first time in the process (kernel name index and flavour index built) and then with a new
 * relocator each round (what a loader pays per object).
 * Run: java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:$(junit jars) dev.jbcc.btf.core.CoreBenchmark
 */
public final class CoreBenchmark {
    private CoreBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("core-bench");
        CoreObject object = CoreObject.compile(dir, "core", "syscall");
        long t0 = System.nanoTime();
        Btf kernel = Btf.kernel();
        long t1 = System.nanoTime();
        kernel.lookup("task_struct"); // builds the kernel's name index, which any loader needs anyway
        long t2 = System.nanoTime();
        int n = resolveAll(object, kernel);
        long t3 = System.nanoTime();
        System.out.printf("kernel BTF parse %.1f ms; name index %.1f ms; first %d relocations %.1f ms%n",
                (t1 - t0) / 1e6, (t2 - t1) / 1e6, n, (t3 - t2) / 1e6);
        int rounds = 2000;
        for (int r = 0; r < 3; r++) {
            long s = System.nanoTime();
            for (int i = 0; i < rounds; i++) resolveAll(object, kernel);
            long e = System.nanoTime();
            System.out.printf("warm: %.1f µs per object of %d relocations%n", (e - s) / 1e3 / rounds, n);
        }
    }

    private static int resolveAll(CoreObject object, Btf kernel) {
        CoreRelocator relocator = CoreRelocator.of(object.btf(), CoreTarget.of(kernel));
        int n = 0;
        for (BtfExt.CoreRelo r : object.relocations("syscall")) {
            relocator.resolve(r.typeId(), r.accessString(), r.kind());
            n++;
        }
        return n;
    }
}
