package dev.jbcc.btf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Prints how long parsing the running kernel's BTF takes and how much heap the result keeps.
 * Run in a fresh JVM so the first figure is a cold start:
 * <pre>java -cp jbcc-core/target/classes:jbcc-core/target/test-classes dev.jbcc.btf.BtfParseReport</pre>
 */
public final class BtfParseReport {
    private BtfParseReport() {}

    public static void main(String[] args) throws Exception {
        long jvmStart = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
        long t0 = System.nanoTime();
        Btf kernel = Btf.kernel();
        long coldNanos = System.nanoTime() - t0;

        t0 = System.nanoTime();
        int[] ids = kernel.lookup("task_struct");
        long firstLookupNanos = System.nanoTime() - t0;
        t0 = System.nanoTime();
        BtfType task = kernel.type(ids[0]);
        long firstTypeNanos = System.nanoTime() - t0;

        System.out.printf("kernel BTF: %s%n", kernel);
        System.out.printf("JVM uptime before parsing: %d ms%n", System.currentTimeMillis() - jvmStart
                - coldNanos / 1_000_000);
        System.out.printf("cold Btf.kernel() (read + parse, fresh JVM): %.1f ms%n", coldNanos / 1e6);
        System.out.printf("first lookup(\"task_struct\") incl. building the name index: %.1f ms%n",
                firstLookupNanos / 1e6);
        System.out.printf("first type(task_struct) (%s, %d members): %.2f ms%n", task.name(),
                ((BtfType.Struct) task).members().size(), firstTypeNanos / 1e6);

        byte[] bytes = Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux"));
        int rounds = 50;
        long[] parse = new long[rounds];
        long[] parseLookup = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            long s = System.nanoTime();
            Btf b = Btf.parse(bytes);
            parse[i] = System.nanoTime() - s;
            s = System.nanoTime();
            b.lookup("task_struct");
            parseLookup[i] = System.nanoTime() - s;
        }
        Arrays.sort(parse);
        Arrays.sort(parseLookup);
        System.out.printf("warm parse of %d bytes (median of %d): %.2f ms; name index build: %.2f ms%n",
                bytes.length, rounds, parse[rounds / 2] / 1e6, parseLookup[rounds / 2] / 1e6);

        long s = System.nanoTime();
        Btf all = Btf.parse(bytes);
        for (int id = 0; id < all.typeCount(); id++) {
            all.type(id);
        }
        System.out.printf("materialising all %d records once: %.1f ms%n", all.typeCount(),
                (System.nanoTime() - s) / 1e6);
        bytes = null;
        all = null;

        // Retained heap: a fresh parse from the file, measured after full GCs.
        long before = usedHeapAfterGc();
        Btf retained = Btf.parse(Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux")));
        long parsed = usedHeapAfterGc();
        retained.lookup("task_struct");
        long indexed = usedHeapAfterGc();
        for (int id = 0; id < retained.typeCount(); id++) {
            retained.type(id);
        }
        long materialised = usedHeapAfterGc();
        System.out.printf("retained heap: parsed %.1f MiB, + name index %.1f MiB, all records materialised %.1f MiB%n",
                (parsed - before) / 1048576.0, (indexed - before) / 1048576.0, (materialised - before) / 1048576.0);
        if (retained.typeCount() < 0 || kernel.typeCount() < 0) {
            throw new AssertionError(); // keeps both reachable until here
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
