package dev.jbcc;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.PinException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Cpus;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.spec.BpfFlags;
import dev.jbcc.spec.MapSpec;
import dev.jbcc.spec.MapType;
import dev.jbcc.spec.ProgramType;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.TestPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** Every map type this kernel offers, exercised from Java against the real kernel. */
@ExtendWith(FdLeakCheck.class)
class BpfMapTest {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder());
    /** For heap byte[] segments, which only guarantee byte alignment. */
    private static final ValueLayout.OfInt INT_U = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    record Point(int x, long y) {}

    record Ipv4Prefix(int prefixLength, @Codec.Length(4) byte[] address) {
        static Ipv4Prefix of(String dotted, int length) {
            String[] parts = dotted.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) b[i] = (byte) Integer.parseInt(parts[i]);
            return new Ipv4Prefix(length, b);
        }
    }

    @Test
    void hashMapBehavesLikeAJavaMap() {
        try (BpfMap map = BpfMap.create(MapSpec.of("points", MapType.HASH, 4, 16, 8))) {
            TypedMap<Integer, Point> points = map.as(Codec.INT, Codec.ofRecord(Point.class));
            assertNull(points.get(1));
            points.put(1, new Point(10, 100));
            points.put(2, new Point(20, 200));
            assertEquals(new Point(10, 100), points.get(1));
            assertTrue(points.containsKey(2));
            assertFalse(points.putIfAbsent(2, new Point(0, 0)));
            assertEquals(new Point(20, 200), points.get(2));
            assertTrue(points.putIfAbsent(3, new Point(30, 300)));
            assertEquals(Set.of(1, 2, 3), new HashSet<>(points.keys()));
            assertEquals(3, points.size());
            Map<Integer, Point> copy = new HashMap<>();
            for (var e : points.entries()) copy.put(e.getKey(), e.getValue());
            assertEquals(Map.of(1, new Point(10, 100), 2, new Point(20, 200), 3, new Point(30, 300)), copy);
            assertTrue(points.remove(1));
            assertFalse(points.remove(1));
            assertEquals(new Point(30, 300), points.getAndRemove(3));
            points.clear();
            assertEquals(0, points.size());

            var e = assertThrows(SyscallException.class, () -> {
                points.put(5, new Point(1, 1));
                points.put(5, new Point(1, 1), BpfMap.NOEXIST);
            });
            assertEquals(Errno.EEXIST, e.errno());
            assertTrue(e.getMessage().contains("points"), e.getMessage());
            var missing = assertThrows(SyscallException.class, () -> points.put(6, new Point(1, 1), BpfMap.EXIST));
            assertEquals(Errno.ENOENT, missing.errno());
        }
    }

    @Test
    void hashMapFullAndRawSegmentOperations() {
        try (Arena arena = Arena.ofConfined(); BpfMap map = BpfMap.create(MapSpec.of("small", MapType.HASH, 4, 8, 2))) {
            MemorySegment key = arena.allocate(INT), value = arena.allocate(LONG);
            for (int i = 0; i < 2; i++) {
                key.set(INT, 0, i);
                value.set(LONG, 0, i * 7L);
                map.update(key, value);
            }
            key.set(INT, 0, 99);
            var full = assertThrows(SyscallException.class, () -> map.update(key, value));
            assertEquals(Errno.E2BIG, full.errno());
            assertTrue(full.getMessage().contains("full (max_entries 2)"), full.getMessage());
            // Heap segments work too, through the scratch buffer.
            MemorySegment heapKey = MemorySegment.ofArray(new int[] {1});
            MemorySegment heapValue = MemorySegment.ofArray(new long[1]);
            assertTrue(map.lookup(heapKey, heapValue));
            assertEquals(7L, heapValue.get(LONG, 0));
            List<Integer> keys = new ArrayList<>();
            for (MemorySegment k : map.keys()) keys.add(k.get(INT_U, 0));
            assertEquals(Set.of(0, 1), new HashSet<>(keys));
            MemorySegment out = arena.allocate(LONG);
            assertTrue(map.lookupAndDelete(heapKey, out));
            assertEquals(7L, out.get(LONG, 0));
            assertFalse(map.lookup(heapKey, out));
            assertThrows(IllegalArgumentException.class, () -> map.lookup(arena.allocate(2), out),
                    "a key shorter than key_size must not reach the kernel");
        }
    }

    @Test
    void arrayMapHasEveryIndexAndCannotDelete() {
        try (BpfMap map = BpfMap.create(MapSpec.of("arr", MapType.ARRAY, 4, 8, 4))) {
            TypedMap<Integer, Long> array = map.as(Codec.INT, Codec.LONG);
            assertEquals(4, array.size());
            assertEquals(0L, array.get(3));
            array.put(3, 33L);
            assertEquals(33L, array.get(3));
            assertNull(array.get(4));
            var range = assertThrows(SyscallException.class, () -> array.put(4, 1L));
            assertEquals(Errno.E2BIG, range.errno());
            assertTrue(range.getMessage().contains("out of range"), range.getMessage());
            var delete = assertThrows(SyscallException.class, () -> array.remove(0));
            assertTrue(delete.getMessage().contains("cannot be deleted"), delete.getMessage());
        }
    }

    @Test
    void perCpuHashHoldsOneValuePerPossibleCpu() {
        try (BpfMap map = BpfMap.create(MapSpec.of("pcpu_hash", MapType.PERCPU_HASH, 4, 4, 8))) {
            int cpus = Cpus.possible();
            assertEquals(cpus, map.possibleCpus());
            assertEquals(8, map.valueStride(), "4-byte values sit in 8-byte per-CPU slots");
            PerCpuMap<Integer, Integer> counters = map.asPerCpu(Codec.INT, Codec.INT);
            List<Integer> values = new ArrayList<>();
            for (int cpu = 0; cpu < cpus; cpu++) values.add(cpu + 1);
            counters.put(7, values);
            assertEquals(values, counters.get(7));
            assertEquals((long) cpus * (cpus + 1) / 2, counters.sum(7));
            assertNull(counters.get(8));
            assertEquals(0, counters.sum(8));
            assertThrows(IllegalStateException.class, () -> map.as(Codec.INT, Codec.INT));
        }
    }

    @Test
    void perCpuArrayValuesAreSummed() {
        try (BpfMap map = BpfMap.create(MapSpec.of("pcpu_arr", MapType.PERCPU_ARRAY, 4, 8, 2))) {
            PerCpuMap<Integer, Long> counters = map.asPerCpu(Codec.INT, Codec.LONG);
            counters.putAllCpus(1, 5L);
            assertEquals(5L * map.possibleCpus(), counters.sum(1));
            assertEquals(0, counters.sum(0));
            // The raw buffer has one slot per CPU.
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment key = arena.allocate(INT).fill((byte) 0);
                key.set(INT, 0, 1);
                MemorySegment raw = arena.allocate(map.valueBufferSize());
                assertTrue(map.lookup(key, raw));
                for (int cpu = 0; cpu < map.possibleCpus(); cpu++) assertEquals(5L, raw.get(LONG, (long) cpu * 8));
                assertThrows(IllegalArgumentException.class, () -> map.lookup(key, arena.allocate(8L)),
                        "a one-CPU buffer is too small for a per-CPU map");
            }
        }
    }

    @Test
    void lruHashEvictsToStayWithinItsCapacityAndKeepsTheNewest() {
        // Which old key goes first is not exact LRU: the kernel keeps per-CPU free and pending
        // lists, so a key inserted on one CPU can outlive newer ones when the thread moves to
        // another CPU. What always holds: the map stays within max_entries and the newest is there.
        int capacity = 16;
        try (BpfMap map = BpfMap.create(MapSpec.of("lru", MapType.LRU_HASH, 4, 8, capacity))) {
            TypedMap<Integer, Long> lru = map.as(Codec.INT, Codec.LONG);
            int inserted = capacity * 8;
            for (int i = 0; i < inserted; i++) lru.put(i, (long) i);
            int size = lru.size();
            assertTrue(size <= capacity, "an LRU map never holds more than max_entries, held " + size);
            assertEquals(inserted - 1L, lru.get(inserted - 1));
        }
    }

    @Test
    void lruPerCpuHashEvictsToo() {
        int capacity = 16;
        try (BpfMap map = BpfMap.create(MapSpec.of("lru_pcpu", MapType.LRU_PERCPU_HASH, 4, 8, capacity))) {
            PerCpuMap<Integer, Long> lru = map.asPerCpu(Codec.INT, Codec.LONG);
            int inserted = capacity * 8;
            for (int i = 0; i < inserted; i++) lru.putAllCpus(i, (long) i);
            assertTrue(lru.size() <= capacity); // the newest stays; which old key went is not exact LRU (see above)
            assertEquals((inserted - 1L) * map.possibleCpus(), lru.sum(inserted - 1));
        }
    }

    @Test
    void lpmTrieFindsTheLongestPrefix() {
        var spec = MapSpec.of("routes", MapType.LPM_TRIE, 8, 4, 16).withFlags(BpfFlags.BPF_F_NO_PREALLOC);
        try (BpfMap map = BpfMap.create(spec)) {
            TypedMap<Ipv4Prefix, Integer> routes = map.as(Codec.ofRecord(Ipv4Prefix.class), Codec.INT);
            routes.put(Ipv4Prefix.of("10.0.0.0", 8), 8);
            routes.put(Ipv4Prefix.of("10.1.0.0", 16), 16);
            routes.put(Ipv4Prefix.of("10.1.2.0", 24), 24);
            assertEquals(24, routes.get(Ipv4Prefix.of("10.1.2.3", 32)));
            assertEquals(16, routes.get(Ipv4Prefix.of("10.1.9.9", 32)));
            assertEquals(8, routes.get(Ipv4Prefix.of("10.200.0.1", 32)));
            assertNull(routes.get(Ipv4Prefix.of("11.0.0.1", 32)));
            assertTrue(routes.remove(Ipv4Prefix.of("10.1.2.0", 24)));
            assertEquals(16, routes.get(Ipv4Prefix.of("10.1.2.3", 32)));
        }
    }

    @Test
    void lpmTrieWithoutNoPreallocNamesTheFix() {
        var e = assertThrows(SyscallException.class,
                () -> BpfMap.create(MapSpec.of("bad_lpm", MapType.LPM_TRIE, 8, 4, 16)).close());
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("BPF_F_NO_PREALLOC"), e.getMessage());
        assertTrue(e.getMessage().contains("key_size 8") && e.getMessage().contains("max_entries 16"), e.getMessage());
    }

    @Test
    void queueIsFifoAndStackIsLifo() {
        try (BpfMap q = BpfMap.create(MapSpec.of("q", MapType.QUEUE, 0, 8, 3));
             BpfMap s = BpfMap.create(MapSpec.of("s", MapType.STACK, 0, 8, 3))) {
            TypedQueue<Long> queue = q.asQueue(Codec.LONG), stack = s.asQueue(Codec.LONG);
            for (long v = 1; v <= 3; v++) {
                queue.push(v);
                stack.push(v);
            }
            var full = assertThrows(SyscallException.class, () -> queue.push(4L));
            assertEquals(Errno.E2BIG, full.errno());
            queue.push(4L, true); // evicts 1
            assertEquals(2L, queue.peek());
            assertEquals(List.of(2L, 3L, 4L), List.of(queue.pop(), queue.pop(), queue.pop()));
            assertNull(queue.pop());
            assertEquals(3L, stack.peek());
            assertEquals(List.of(3L, 2L, 1L), List.of(stack.pop(), stack.pop(), stack.pop()));
            assertNull(stack.peek());
        }
    }

    @Test
    void progArrayTakesAProgramFdAndGivesBackItsId() {
        try (BpfMap map = BpfMap.create(MapSpec.of("jumps", MapType.PROG_ARRAY, 4, 4, 4));
             Fd prog = TestPrograms.load(ProgramType.SOCKET_FILTER, "jbcc_tail", 0)) {
            map.putFd(1, prog.raw());
            assertEquals(OptionalInt.of(Bpf.progInfo(prog).id()), map.lookupId(1));
            assertEquals(OptionalInt.empty(), map.lookupId(0));
        }
    }

    @Test
    void stackTraceMapLookupOfAMissingIdIsEmpty() {
        try (Arena arena = Arena.ofConfined();
             BpfMap map = BpfMap.create(MapSpec.of("stacks", MapType.STACK_TRACE, 4, 8 * 127, 64))) {
            MemorySegment id = arena.allocate(INT);
            id.set(INT, 0, 5);
            MemorySegment frames = arena.allocate(map.valueBufferSize());
            assertFalse(map.lookup(id, frames));
        }
    }

    @Test
    void ringbufConsumerPageIsMappable() {
        int size = (int) Libc.pageSize() * 4;
        BpfMap map = BpfMap.create(MapSpec.of("events", MapType.RINGBUF, 0, 0, size));
        MemorySegment consumer = map.mmap(0, Libc.pageSize(), true);
        MemorySegment producer = map.mmap(Libc.pageSize(), Libc.pageSize(), false);
        assertEquals(0L, consumer.get(LONG, 0), "consumer position starts at 0");
        assertEquals(0L, producer.get(LONG, 0), "producer position starts at 0");
        consumer.set(LONG, 0, 0L);
        assertTrue(producer.isReadOnly());
        map.close();
        assertThrows(IllegalStateException.class, () -> consumer.get(LONG, 0), "closing the map unmaps it");
    }

    @Test
    void perfEventArrayIsSizedToThePossibleCpus() {
        try (BpfMap map = BpfMap.create(MapSpec.of("perf", MapType.PERF_EVENT_ARRAY, 4, 4, 0))) {
            assertEquals(Cpus.possible(), map.maxEntries());
            assertEquals(Cpus.possible(), map.info().maxEntries());
        }
    }

    @Test
    void mapsOfMapsTakeAnInnerFdAndGiveBackItsId() {
        MapSpec inner = MapSpec.of("inner", MapType.ARRAY, 4, 8, 2);
        try (BpfMap outerArray = BpfMap.create(MapSpec.of("outer_arr", MapType.ARRAY_OF_MAPS, 4, 4, 2).withInnerMap(inner));
             BpfMap outerHash = BpfMap.create(MapSpec.of("outer_hash", MapType.HASH_OF_MAPS, 4, 4, 2).withInnerMap(inner));
             BpfMap one = BpfMap.create(inner)) {
            outerArray.putMap(1, one);
            assertEquals(OptionalInt.of(one.id()), outerArray.lookupId(1));
            outerHash.putMap(MemorySegment.ofArray(new int[] {42}), one);
            assertEquals(OptionalInt.of(one.id()), outerHash.lookupId(42));
            assertEquals(OptionalInt.empty(), outerHash.lookupId(43));
            // The id opens the inner map again, and both views see the same data.
            try (BpfMap again = BpfMap.fromId(outerArray.lookupId(1).getAsInt())) {
                again.as(Codec.INT, Codec.LONG).put(0, 77L);
                assertEquals(77L, one.as(Codec.INT, Codec.LONG).get(0));
            }
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> BpfMap.create(MapSpec.of("no_inner", MapType.ARRAY_OF_MAPS, 4, 4, 2)));
        assertTrue(e.getMessage().contains("withInnerMap"), e.getMessage());
    }

    @Test
    void pinOpenPinnedAndUnpinOnATemporaryBpffs() throws Exception {
        Path dir = Files.createTempDirectory("jbcc-bpffs");
        run("mount", "-t", "bpf", "bpf", dir.toString());
        try (BpfMap map = BpfMap.create(MapSpec.of("pinned", MapType.HASH, 4, 8, 4))) {
            Path path = dir.resolve("pinned");
            map.pin(path);
            assertEquals(path, map.pinnedPath());
            map.as(Codec.INT, Codec.LONG).put(1, 11L);
            try (BpfMap opened = BpfMap.openPinned(path)) {
                assertEquals(map.id(), opened.id());
                assertEquals(MapType.HASH, opened.type());
                assertEquals("pinned", opened.name());
                assertEquals(11L, opened.as(Codec.INT, Codec.LONG).get(1));
            }
            map.unpin();
            assertFalse(Files.exists(path));
            assertNull(map.pinnedPath());
            var gone = assertThrows(PinException.class, () -> BpfMap.openPinned(path));
            assertEquals(PinException.Reason.NOT_FOUND, gone.reason());
            assertEquals(Errno.ENOENT, gone.errno());
            map.unpin(); // not pinned: nothing to do
        } finally {
            run("umount", dir.toString());
            Files.delete(dir);
        }
    }

    @Test
    void frozenMapRejectsUpdatesClearly() {
        try (BpfMap map = BpfMap.create(MapSpec.of("frozen", MapType.ARRAY, 4, 8, 1))) {
            TypedMap<Integer, Long> values = map.as(Codec.INT, Codec.LONG);
            values.put(0, 5L);
            map.freeze();
            var e = assertThrows(SyscallException.class, () -> values.put(0, 6L));
            assertEquals(Errno.EPERM, e.errno());
            assertTrue(e.getMessage().contains("frozen"), e.getMessage());
            assertEquals(5L, values.get(0));
        }
    }

    @Test
    void batchOperationsOnHash() {
        int n = 100;
        try (Arena arena = Arena.ofConfined(); BpfMap map = BpfMap.create(MapSpec.of("batch_hash", MapType.HASH, 4, 8, 128))) {
            MemorySegment keys = arena.allocate(INT, n), values = arena.allocate(LONG, n);
            for (int i = 0; i < n; i++) {
                keys.setAtIndex(INT, i, i);
                values.setAtIndex(LONG, i, i * 3L);
            }
            assertEquals(n, map.updateBatch(keys, values, n, BpfMap.ANY));
            Map<Integer, Long> seen = readAllInBatches(arena, map, false);
            assertEquals(n, seen.size());
            for (int i = 0; i < n; i++) assertEquals(i * 3L, seen.get(i));
            assertEquals(10, map.deleteBatch(keys, 10));
            Map<Integer, Long> drained = readAllInBatches(arena, map, true);
            assertEquals(n - 10, drained.size());
            assertEquals(0, map.as(Codec.INT, Codec.LONG).size());
        }
    }

    @Test
    void batchOperationsOnArray() {
        int n = 20;
        try (Arena arena = Arena.ofConfined(); BpfMap map = BpfMap.create(MapSpec.of("batch_arr", MapType.ARRAY, 4, 8, n))) {
            MemorySegment keys = arena.allocate(INT, n), values = arena.allocate(LONG, n);
            for (int i = 0; i < n; i++) {
                keys.setAtIndex(INT, i, i);
                values.setAtIndex(LONG, i, 1000L + i);
            }
            assertEquals(n, map.updateBatch(keys, values, n, BpfMap.ANY));
            Map<Integer, Long> seen = readAllInBatches(arena, map, false);
            assertEquals(n, seen.size());
            for (int i = 0; i < n; i++) assertEquals(1000L + i, seen.get(i));
        }
    }

    /** Reads the whole map 7 entries at a time (hash buckets here hold fewer). */
    private static Map<Integer, Long> readAllInBatches(Arena arena, BpfMap map, boolean delete) {
        int count = 7;
        MemorySegment keys = arena.allocate(INT, count), values = arena.allocate(LONG, count);
        Map<Integer, Long> out = new HashMap<>();
        BpfMap.BatchCursor cursor = map.batchCursor();
        while (!cursor.done()) {
            int got = delete ? map.lookupAndDeleteBatch(cursor, keys, values, count) : map.lookupBatch(cursor, keys, values, count);
            for (int i = 0; i < got; i++) out.put(keys.getAtIndex(INT, i), values.getAtIndex(LONG, i));
        }
        return out;
    }

    @Test
    void mmapedArrayWritesAreVisibleToLookupsAndBack() {
        var spec = MapSpec.of("data", MapType.ARRAY, 4, 12, 3).withFlags(BpfFlags.BPF_F_MMAPABLE);
        try (BpfMap map = BpfMap.create(spec)) {
            MemorySegment data = map.mmap();
            assertSame(data, map.mmap());
            assertEquals(16L * 3, data.byteSize(), "12-byte values sit 16 bytes apart");
            data.set(INT, 16 + 8, 0xCAFE);
            TypedMap<Integer, byte[]> values = map.as(Codec.INT, Codec.bytes(12));
            assertEquals(0xCAFE, MemorySegment.ofArray(values.get(1)).get(INT_U, 8));
            byte[] written = new byte[12];
            MemorySegment.ofArray(written).set(INT_U, 0, 0xBEEF);
            values.put(2, written);
            assertEquals(0xBEEF, data.get(INT, 32));
        }
    }

    @Test
    void frozenMmapableMapIsMappedReadOnly() {
        var spec = MapSpec.of(".rodata", MapType.ARRAY, 4, 8, 1).withFlags(BpfFlags.BPF_F_MMAPABLE | BpfFlags.BPF_F_RDONLY_PROG)
                .withContents(List.of(new MapSpec.Entry(0, 123L)));
        try (BpfMap map = BpfMap.create(spec)) {
            assertEquals(".rodata", map.name());
            map.freeze();
            MemorySegment data = map.mmap();
            assertTrue(data.isReadOnly());
            assertEquals(123L, data.get(LONG, 0));
        }
    }

    @Test
    void writableMappingBlocksFreezeWithAClearMessage() {
        try (BpfMap map = BpfMap.create(MapSpec.of("busy", MapType.ARRAY, 4, 8, 1).withFlags(BpfFlags.BPF_F_MMAPABLE))) {
            map.mmap();
            var e = assertThrows(SyscallException.class, map::freeze);
            assertEquals(Errno.EBUSY, e.errno());
            assertTrue(e.getMessage().contains("freeze before mmap()"), e.getMessage());
        }
    }

    @Test
    void closingTwiceIsHarmlessAndUseAfterCloseFails() {
        BpfMap map = BpfMap.create(MapSpec.of("closing", MapType.HASH, 4, 4, 1));
        TypedMap<Integer, Integer> view = map.as(Codec.INT, Codec.INT);
        map.close();
        map.close();
        assertTrue(map.isClosed());
        assertThrows(IllegalStateException.class, () -> view.get(1));
    }

    @Test
    void closingUnmapsUnderAConcurrentReader() throws Exception {
        BpfMap map = BpfMap.create(MapSpec.of("race", MapType.ARRAY, 4, 8, 512).withFlags(BpfFlags.BPF_F_MMAPABLE));
        MemorySegment data = map.mmap();
        var failure = new AtomicReference<Throwable>();
        var started = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().start(() -> {
            long sum = 0;
            started.countDown();
            try {
                while (true) for (long off = 0; off < data.byteSize(); off += 8) sum += data.get(LONG, off);
            } catch (Throwable t) {
                failure.set(t);
            }
            if (sum == Long.MIN_VALUE) System.out.println("unreachable");
        });
        started.await();
        map.close();
        reader.join();
        assertInstanceOf(IllegalStateException.class, failure.get(), "a read after close fails cleanly");
    }

    @Test
    void contentsAreWrittenAtCreation() {
        var spec = MapSpec.of("init", MapType.HASH, 4, 8, 4)
                .withContents(List.of(new MapSpec.Entry(1, 10L), new MapSpec.Entry(2, new byte[] {2, 0, 0, 0, 0, 0, 0, 0})));
        try (BpfMap map = BpfMap.create(spec)) {
            TypedMap<Integer, Long> m = map.as(Codec.INT, Codec.LONG);
            assertEquals(10L, m.get(1));
            assertEquals(2L, m.get(2));
        }
        var bad = MapSpec.of("bad_init", MapType.HASH, 4, 8, 4).withContents(List.of(new MapSpec.Entry("x", 1L)));
        var e = assertThrows(IllegalArgumentException.class, () -> BpfMap.create(bad));
        assertTrue(e.getMessage().contains("bad_init"), e.getMessage());
    }

    @Test
    void infoReportsTheKernelView() {
        try (BpfMap map = BpfMap.create(MapSpec.of("some.name-with:odd", MapType.HASH, 4, 8, 9).withFlags(BpfFlags.BPF_F_NO_PREALLOC))) {
            BpfMap.Info info = map.info();
            assertEquals(new BpfMap.Info(MapType.HASH, map.id(), 4, 8, 9, BpfFlags.BPF_F_NO_PREALLOC, "some.name_with_", 0), info);
        }
    }

    @Test
    void codecSizeMismatchIsRejected() {
        try (BpfMap map = BpfMap.create(MapSpec.of("sizes", MapType.HASH, 4, 8, 1))) {
            var e = assertThrows(IllegalArgumentException.class, () -> map.as(Codec.INT, Codec.INT));
            assertTrue(e.getMessage().contains("8-byte values"), e.getMessage());
        }
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new AssertionError(String.join(" ", command) + " failed: " + out);
    }
}
