package dev.jbcc.bench.maps;

import dev.jbcc.BpfMap;
import dev.jbcc.Codec;
import dev.jbcc.TypedMap;
import dev.jbcc.bench.Stats;
import dev.jbcc.spec.MapSpec;
import dev.jbcc.spec.MapType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Figure 3 of issue 6: ns per map operation for jbcc and for libbpf ({@code maps.c}), on a hash and
 * an array map of ENTRIES u32 → u64.
 *
 * <pre>
 *   MapBench C_BINARY ENTRIES ROUNDS TRIALS
 * </pre>
 *
 * <p>Two Java paths: {@code raw}, {@link BpfMap}'s byte-level calls on caller-owned native
 * segments (no allocation per call), and {@code typed}, {@link TypedMap} with boxed
 * Integer/Long, what most users write. Both are timed as the C program times itself: a pass over
 * every key, ns per operation, median of ROUNDS passes. Java first makes one whole unmeasured run,
 * and five untimed passes before each measurement, so that the JIT has compiled every path. TRIALS each make a C run and a Java run, C first in every
 * other trial; the median of the trials' medians is printed.
 */
public final class MapBench {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder());
    private static final int WARMUP_PASSES = 5;

    private final int entries;
    private final int rounds;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment key = arena.allocate(8, 8), next = arena.allocate(8, 8), value = arena.allocate(8, 8);
    private final MemorySegment batchKeys, batchValues;
    private long sink;

    private MapBench(int entries, int rounds) {
        this.entries = entries;
        this.rounds = rounds;
        this.batchKeys = arena.allocate(4L * entries, 8);
        this.batchValues = arena.allocate(8L * entries, 8);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: MapBench C_BINARY ENTRIES ROUNDS TRIALS");
            System.exit(2);
        }
        String cBinary = args[0];
        int entries = Integer.parseInt(args[1]), rounds = Integer.parseInt(args[2]), trials = Integer.parseInt(args[3]);
        var bench = new MapBench(entries, rounds);
        Map<String, List<Double>> c = new LinkedHashMap<>(), java = new LinkedHashMap<>();
        // A whole unmeasured run first: measured, the first pass of each path ran 1.3-1.5x slower
        // than the same syscall through another path, while C2 compiled it on the other CPU.
        bench.runJava();
        for (int t = 0; t < trials; t++) {
            // C first in even trials, Java first in odd ones, so that neither always follows the other.
            if (t % 2 == 0) runC(cBinary, entries, rounds).forEach((k, v) -> c.computeIfAbsent(k, _ -> new ArrayList<>()).add(v));
            bench.runJava().forEach((k, v) -> java.computeIfAbsent(k, _ -> new ArrayList<>()).add(v));
            if (t % 2 == 1) runC(cBinary, entries, rounds).forEach((k, v) -> c.computeIfAbsent(k, _ -> new ArrayList<>()).add(v));
        }
        List<String> misses = new ArrayList<>();
        for (var e : java.entrySet()) {
            String name = e.getKey();                            // hash.lookup.raw
            String cName = name.substring(0, name.lastIndexOf('.')); // hash.lookup
            double j = median(e.getValue()), cv = median(c.get(cName));
            String figure = "maps." + name + ".ns_per_op";
            System.out.println(Stats.line(figure, j, cv));
            if (j > 1.2 * cv)
                misses.add(String.format(Locale.ROOT, "%s: %.2f× C, %.0f%% over the 1.2× target", figure, j / cv, 100 * (j / cv - 1.2)));
        }
        System.out.println("#misses");
        misses.forEach(System.out::println);
    }

    private static double median(List<Double> values) {
        return Stats.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static Map<String, Double> runC(String binary, int entries, int rounds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary, String.valueOf(entries), String.valueOf(rounds))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException(binary + " failed");
        Map<String, Double> result = new LinkedHashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] f = line.split(" ");
            result.put(f[0], Double.parseDouble(f[1]));
        }
        return result;
    }

    private Map<String, Double> runJava() {
        Map<String, Double> result = new LinkedHashMap<>();
        try (BpfMap hash = BpfMap.create(MapSpec.of("bench_hash", MapType.HASH, 4, 8, entries));
             BpfMap array = BpfMap.create(MapSpec.of("bench_array", MapType.ARRAY, 4, 8, entries))) {
            fill(hash);
            fill(array);
            for (BpfMap map : List.of(hash, array)) {
                String m = map == hash ? "hash" : "array";
                TypedMap<Integer, Long> typed = map.as(Codec.INT, Codec.LONG);
                result.put(m + ".lookup.raw", time(map, this::lookupRaw, false));
                result.put(m + ".lookup.typed", time(map, _ -> lookupTyped(typed), false));
                result.put(m + ".update.raw", time(map, this::updateRaw, false));
                result.put(m + ".update.typed", time(map, _ -> updateTyped(typed), false));
                if (map == hash) {
                    result.put(m + ".delete.raw", time(map, this::deleteRaw, true));
                    result.put(m + ".delete.typed", time(map, _ -> deleteTyped(typed), true));
                }
                result.put(m + ".iterate.raw", time(map, this::iterateRaw, false));
                result.put(m + ".iterate.typed", time(map, _ -> iterateTyped(typed), false));
                result.put(m + ".batch.raw", time(map, this::batchRaw, false));
            }
        }
        return result;
    }

    /** Median ns per operation over {@code rounds} timed passes, after the warm-up passes. */
    private double time(BpfMap map, ToLongFunction<BpfMap> pass, boolean refill) {
        for (int i = 0; i < WARMUP_PASSES; i++) {
            pass.applyAsLong(map);
            if (refill) fill(map);
        }
        double[] ns = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            long n = pass.applyAsLong(map);
            ns[r] = (double) (System.nanoTime() - start) / n;
            if (refill) fill(map);
        }
        return Stats.median(ns);
    }

    private void fill(BpfMap map) {
        for (int k = 0; k < entries; k++) {
            key.set(U32, 0, k);
            value.set(U64, 0, k * 3L);
            map.update(key, value);
        }
    }

    private long lookupRaw(BpfMap map) {
        long sum = 0;
        for (int k = 0; k < entries; k++) {
            key.set(U32, 0, k);
            if (!map.lookup(key, value)) throw new IllegalStateException("missing key " + k);
            sum += value.get(U64, 0);
        }
        sink += sum;
        return entries;
    }

    private long lookupTyped(TypedMap<Integer, Long> map) {
        long sum = 0;
        for (int k = 0; k < entries; k++) sum += map.get(k);
        sink += sum;
        return entries;
    }

    private long updateRaw(BpfMap map) {
        for (int k = 0; k < entries; k++) {
            key.set(U32, 0, k);
            value.set(U64, 0, k);
            map.update(key, value);
        }
        return entries;
    }

    private long updateTyped(TypedMap<Integer, Long> map) {
        for (int k = 0; k < entries; k++) map.put(k, (long) k);
        return entries;
    }

    private long deleteRaw(BpfMap map) {
        for (int k = 0; k < entries; k++) {
            key.set(U32, 0, k);
            if (!map.delete(key)) throw new IllegalStateException("missing key " + k);
        }
        return entries;
    }

    private long deleteTyped(TypedMap<Integer, Long> map) {
        for (int k = 0; k < entries; k++)
            if (!map.remove(k)) throw new IllegalStateException("missing key " + k);
        return entries;
    }

    /** get_next_key and a lookup per entry, as the C side does. */
    private long iterateRaw(BpfMap map) {
        long n = 0, sum = 0;
        boolean more = map.nextKey(null, next);
        while (more) {
            MemorySegment.copy(next, 0, key, 0, 4);
            if (!map.lookup(key, value)) throw new IllegalStateException("key vanished");
            sum += value.get(U64, 0);
            n++;
            more = map.nextKey(key, next);
        }
        sink += sum;
        return n;
    }

    private long iterateTyped(TypedMap<Integer, Long> map) {
        long[] n = {0, 0};
        map.forEach((k, v) -> {
            n[0]++;
            n[1] += v;
        });
        sink += n[1];
        return n[0];
    }

    private long batchRaw(BpfMap map) {
        BpfMap.BatchCursor cursor = map.batchCursor();
        long n = 0, sum = 0;
        while (!cursor.done()) {
            int count = map.lookupBatch(cursor, batchKeys, batchValues, entries);
            for (int i = 0; i < count; i++) sum += batchValues.getAtIndex(U64, i);
            n += count;
        }
        sink += sum;
        return n;
    }
}
