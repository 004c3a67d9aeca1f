package dev.jbcc.bench.btf;

import dev.jbcc.btf.Btf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.Arrays;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Figure 6 of issue 6: jbcc's parse of {@code /sys/kernel/btf/vmlinux}, as {@code btf.c} measures
 * libbpf's btf__parse.
 *
 * <pre>
 *   BtfBench cold      Btf.kernel() once in this fresh JVM (read and parse; class loading and
 *                      interpretation included): parse_ns=N types=N
 *   BtfBench warm N    N parses of the file's bytes after it was read; the median of the last half
 *                      (JIT-compiled): parse_ns=N, then the heap the parsed Btf retains
 *                      (live bytes by class histogram, heap_bytes=N), and what it retains once every type has been
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
        long parseNanos = warmParse(Math.max(2, Integer.parseInt(args[1])));
        long[] retained = retained();
        System.out.println("parse_ns=" + parseNanos + " heap_bytes=" + retained[0] + " heap_all_types_bytes=" + retained[1]);
    }

    /** The median of the last half of {@code n} parses. In its own method so that no parsed Btf outlives it. */
    private static long warmParse(int n) throws IOException {
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            Btf btf = Btf.parse(read());
            ns[i] = System.nanoTime() - start;
            Reference.reachabilityFence(btf);
        }
        long[] lastHalf = Arrays.copyOfRange(ns, n / 2, n);
        Arrays.sort(lastHalf);
        return lastHalf[lastHalf.length / 2];
    }

    /** Heap retained by one parsed Btf, then by the same Btf with every type materialised. */
    private static long[] retained() throws IOException {
        long before = liveBytes();
        Btf btf = Btf.parse(read());
        long parsed = liveBytes();
        for (int id = 1; id < btf.typeCount(); id++) btf.type(id);
        long materialised = liveBytes();
        Reference.reachabilityFence(btf);
        return new long[] {parsed - before, materialised - before};
    }

    /**
     * Bytes of live objects, from the class histogram the JVM takes after a full GC (jcmd's
     * GC.class_histogram): exact, where MemoryMXBean's "used" counts whole G1 regions for a large
     * array.
     */
    private static long liveBytes() {
        try {
            String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            for (String line : histogram.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3 && f[0].equals("Total")) return Long.parseLong(f[2]);
            }
            throw new IllegalStateException("no Total line in the class histogram");
        } catch (JMException e) {
            throw new IllegalStateException("class histogram: " + e.getMessage(), e);
        }
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
