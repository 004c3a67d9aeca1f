package dev.jbcc.bench.btf;

import dev.jbcc.btf.Btf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.Arrays;

/**
 * Figure 6 of issue 6: jbcc's parse of {@code /sys/kernel/btf/vmlinux}, as {@code btf.c} measures
 * libbpf's btf__parse.
 *
 * <pre>
 *   BtfBench cold      Btf.kernel() once in this fresh JVM (read and parse; class loading and
 *                      interpretation included): parse_ns=N types=N
 *   BtfBench warm N    N parses of the file's bytes after it was read; the median of the last half
 *                      (JIT-compiled): parse_ns=N, then the heap the parsed Btf retains after a
 *                      full GC (heap_bytes=N), and what it retains once every type has been
 *                      materialised as a record (heap_all_types_bytes=N)
 * </pre>
 * The warm figure includes reading the file, as libbpf's does.
 */
public final class BtfBench {
    private static final String PATH = "/sys/kernel/btf/vmlinux";

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("cold")) {
            long start = System.nanoTime();
            Btf btf = Btf.kernel();
            long elapsed = System.nanoTime() - start;
            System.out.println("parse_ns=" + elapsed + " types=" + btf.typeCount());
            return;
        }
        if (args.length != 2 || !args[0].equals("warm")) {
            System.err.println("usage: BtfBench cold | BtfBench warm N");
            System.exit(2);
        }
        int n = Math.max(2, Integer.parseInt(args[1]));
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            Btf btf = Btf.parse(read());
            ns[i] = System.nanoTime() - start;
            Reference.reachabilityFence(btf);
        }
        long[] lastHalf = Arrays.copyOfRange(ns, n / 2, n);
        Arrays.sort(lastHalf);

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        Btf btf = Btf.parse(read());
        long parsed = usedAfterGc(memory);
        for (int id = 1; id < btf.typeCount(); id++) btf.type(id);
        long materialised = usedAfterGc(memory);
        Reference.reachabilityFence(btf);
        System.out.println("parse_ns=" + lastHalf[lastHalf.length / 2] + " heap_bytes=" + (parsed - before)
                + " heap_all_types_bytes=" + (materialised - before));
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** The whole file in one read, sized by its length, as Btf.kernel() reads it. */
    private static byte[] read() throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(PATH, "r")) {
            byte[] bytes = new byte[(int) in.length()];
            int n = 0;
            while (n < bytes.length) {
                int r = in.read(bytes, n, bytes.length - n);
                if (r < 0) throw new IOException(PATH + " ended after " + n + " bytes");
                n += r;
            }
            return bytes;
        }
    }
}
