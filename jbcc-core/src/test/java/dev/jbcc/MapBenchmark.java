package dev.jbcc;

import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.spec.MapSpec;

import dev.jbcc.spec.MapType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Not a test: compares a typed lookup through the per-thread scratch buffer with one that
 * opens a confined arena per call, and with a raw lookup on caller-owned native memory.
 * Run: java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes dev.jbcc.MapBenchmark
 */
public final class MapBenchmark {
    private MapBenchmark() {}

    public static void main(String[] args) {
        int n = 2_000_000;
        try (BpfMap map = BpfMap.create(MapSpec.of("bench", MapType.HASH, 4, 8, 1024))) {
            TypedMap<Integer, Long> typed = map.as(Codec.INT, Codec.LONG);
            for (int i = 0; i < 1024; i++) typed.put(i, (long) i);
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime(), sink = 0;
                for (int i = 0; i < n; i++) sink += typed.get(i & 1023);
                long t1 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment k = arena.allocate(4, 8), v = arena.allocate(8, 8);
                        Codec.INT.encode(i & 1023, k);
                        if (Bpf.mapLookupElem(Handles.of(map), k, v, 0)) sink += Codec.LONG.decode(v);
                    }
                }
                long t2 = System.nanoTime();
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment k = arena.allocate(4, 8), v = arena.allocate(8, 8);
                    for (int i = 0; i < n; i++) {
                        k.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, i & 1023);
                        if (map.lookup(k, v)) sink += v.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0);
                    }
                }
                long t3 = System.nanoTime();
                System.out.printf("round %d: typed (thread scratch) %.0f ns/op, confined arena per call %.0f ns/op, raw native %.0f ns/op (%d)%n",
                        round, (t1 - t0) / (double) n, (t2 - t1) / (double) n, (t3 - t2) / (double) n, sink & 1);
            }
        }
    }
}
