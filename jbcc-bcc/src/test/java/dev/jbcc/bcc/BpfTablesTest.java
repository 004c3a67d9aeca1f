package dev.jbcc.bcc;

import dev.jbcc.TestRun;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.perf.OnlineCpus;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table API on a loaded bcc program whose tables are filled by real program runs
 * (BPF_PROG_TEST_RUN), read and written from Java.
 */
@ExtendWith(FdLeakCheck.class)
class BpfTablesTest {
    private static BPF bpf;
    private static BpfFunction feed;

    @BeforeAll
    static void load() {
        bpf = BPF.builder().text("tables.c", BccTestSupport.resource("tables.c")).build();
        feed = bpf.loadFunc("xdp_feed", BPF.XDP);
    }

    @AfterAll
    static void close() {
        bpf.close();
    }

    private static void run(long value, int op, int section, int times) {
        var r = feed.program().testRun(TestRun.packet(BccTestSupport.packet(value, op, section)).withRepeat(times));
        assertEquals(2, r.returnValue(), "XDP_PASS");
    }

    @Test
    void hashAndArrayCountWhatTheProgramSaw() {
        HashTable counts = bpf.get("counts");
        ArrayTable arr = bpf.get("arr");
        counts.clear();
        arr.clear();
        run(5, 0, 0, 3);
        run(6, 0, 0, 2);
        assertEquals(3, counts.get(counts.key(5)).value());
        assertEquals(2, counts.get(6).value());
        assertNull(counts.get(7));
        assertEquals(2, counts.size());
        Map<Long, Long> items = new TreeMap<>();
        for (var e : counts.items()) items.put(e.getKey().value(), e.getValue().value());
        assertEquals(Map.of(5L, 3L, 6L, 2L), items);
        assertEquals("u32", counts.keyTypeName());
        assertEquals("c_uint(5)", counts.key(5).toString());
        assertEquals("c_ulong(3)", counts.get(5).toString());

        // Array: 5 & 3 = 1, 6 & 3 = 2; negative indexes count from the end (max_entries 4).
        assertEquals(3, arr.get(1).value());
        assertEquals(2, arr.get(-2).value());
        assertEquals(4, arr.size());
        arr.put(-1, 42);
        assertEquals(42, arr.get(3).value());
        assertTrue(arr.delete(3)); // arrays zero instead of deleting
        assertEquals(0, arr.get(3).value());
        assertThrows(IndexOutOfBoundsException.class, () -> arr.get(4));

        // Writes from Java are what the program sees next: it adds to the stored count.
        counts.put(5, 100);
        run(5, 0, 0, 1);
        assertEquals(101, counts.get(5).value());
        counts.zero();
        assertEquals(0, counts.get(5).value());
        assertTrue(counts.delete(counts.key(5)));
        assertFalse(counts.delete(counts.key(5)));
        counts.clear();
        assertEquals(0, counts.size());
    }

    @Test
    void batchOperations() {
        HashTable counts = bpf.get("counts");
        counts.clear();
        List<Value> keys = new ArrayList<>();
        List<Value> leaves = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            keys.add(counts.key(i));
            leaves.add(counts.leaf(i * 10L));
        }
        counts.itemsUpdateBatch(keys, leaves);
        Map<Long, Long> read = new HashMap<>();
        for (var e : counts.itemsLookupBatch()) read.put(e.getKey().value(), e.getValue().value());
        assertEquals(20, read.size());
        for (long i = 0; i < 20; i++) assertEquals(i * 10, read.get(i));
        counts.itemsDeleteBatch(keys.subList(0, 5));
        assertEquals(15, counts.size());
        var drained = counts.itemsLookupAndDeleteBatch();
        assertEquals(15, drained.size());
        assertEquals(0, counts.size());
    }

    @Test
    void log2HistogramPrintsAsBcc() {
        ArrayTable hist = bpf.get("hist");
        hist.clear();
        // A known distribution: value -> how many times the program saw it.
        Map<Long, Integer> fed = new LinkedHashMap<>();
        fed.put(0L, 2);
        fed.put(1L, 3);
        fed.put(3L, 7);
        fed.put(100L, 20);
        fed.put(101L, 4);
        fed.put(5000L, 1);
        long[] slots = new long[65];
        fed.forEach((v, n) -> {
            run(v, 0, 0, n);
            slots[64 - Long.numberOfLeadingZeros(v)] += n;
        });
        String expected = ExpectedHistogram.log2(slots, "usecs");
        assertEquals(expected, print(out -> hist.printLog2Hist(out, Histogram.Options.defaults().withValType("usecs"))));
        // The rows are there: slot 7 (64 -> 127) holds 100 and 101 and has the full 40 stars.
        assertTrue(expected.contains("        64 -> 127        : 24       |****************************************|"), expected);
    }

    @Test
    void jsonHistogramHasBccsFieldsAndTheCountsTheProgramSaw() throws Exception {
        ArrayTable hist = bpf.get("hist");
        hist.clear();
        long[] slots = new long[65];
        long[][] fed = {{0, 4}, {1, 3}, {2, 5}, {6, 2}, {700, 9}};
        for (long[] f : fed) {
            run(f[0], 0, 0, (int) f[1]);
            slots[64 - Long.numberOfLeadingZeros(f[0])] += f[1];
        }
        String text = print(out -> hist.printJsonHist(out, Histogram.Options.defaults().withValType("usecs")));
        List<String> lines = text.lines().toList();
        assertEquals(1, lines.size(), text);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.getFirst());
        assertEquals("usecs", json.get("val_type").asText());
        assertTrue(json.get("ts").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"), json.get("ts").asText());
        var data = json.get("data");
        // Slots 1 .. the last non-zero one (700 is in slot 10: 512 -> 1023); slot 0 (value 0) is left out, as bcc does.
        assertEquals(10, data.size(), text);
        long start = 0;
        for (int i = 1; i <= 10; i++) {
            var bucket = data.get(i - 1);
            assertEquals(start, bucket.get("interval-start").asLong(), "slot " + i);
            assertEquals((1L << i) - 1, bucket.get("interval-end").asLong(), "slot " + i);
            assertEquals(slots[i], bucket.get("count").asLong(), "slot " + i);
            start = 1L << i;
        }
        assertEquals(3, data.get(0).get("count").asLong(), "value 1: slot 1, 0 -> 1");
        assertEquals(9, data.get(9).get("count").asLong(), "value 700: slot 10");

        // A struct key: one object per section, the section under the header's name.
        HashTable shist = bpf.get("shist");
        shist.clear();
        run(8, 3, 1, 4);
        run(1000, 3, 2, 6);
        Map<Long, com.fasterxml.jackson.databind.JsonNode> bySection = new HashMap<>();
        for (String line : print(out -> shist.printJsonHist(out, Histogram.Options.defaults().withSection("section", null)))
                .lines().toList()) {
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            bySection.put(node.get("section").asLong(), node.get("data"));
        }
        assertEquals(java.util.Set.of(1L, 2L), bySection.keySet());
        assertEquals(4, bySection.get(1L).size(), "value 8 is in slot 4");
        assertEquals(4, bySection.get(1L).get(3).get("count").asLong());
        assertEquals(10, bySection.get(2L).size(), "value 1000 is in slot 10");
        assertEquals(6, bySection.get(2L).get(9).get("count").asLong());
        assertEquals(0, bySection.get(2L).get(3).get("count").asLong());
    }

    @Test
    void linearHistogramPrintsAsBcc() throws Exception {
        ArrayTable lin = bpf.get("lin");
        lin.clear();
        long[] slots = new long[1025];
        int[][] fed = {{0, 1}, {2, 5}, {3, 2}, {10, 9}};
        for (int[] f : fed) {
            run(f[0], 0, 0, f[1]);
            slots[f[0]] += f[1];
        }
        assertEquals(ExpectedHistogram.linear(slots, "value"), print(out -> lin.printLinearHist(out, Histogram.Options.defaults())));
        // The JSON form: a value and count per slot, up to the last non-zero one.
        var data = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Histogram.linearJson(lin, Histogram.Options.defaults().withValType("items"))).get("data");
        assertEquals(11, data.size());
        for (int v = 0; v <= 10; v++) {
            assertEquals(v, data.get(v).get("value").asLong());
            assertEquals(slots[v], data.get(v).get("count").asLong());
        }
    }

    @Test
    void sectionedHistogramsPrintOneHistogramPerSection() {
        HashTable shist = bpf.get("shist");
        HashTable chist = bpf.get("chist");
        shist.clear();
        chist.clear();
        run(8, 3, 1, 4);
        run(9, 3, 1, 1);
        run(1000, 3, 2, 6);
        // Sections in the order the table walks its keys, as bcc prints them.
        Map<Object, long[]> bySection = new LinkedHashMap<>();
        for (Value k : shist.keys()) bySection.computeIfAbsent(k.getLong("section"), s -> new long[65]);
        bySection.get(1L)[4] = 5;
        bySection.get(2L)[10] = 6;
        StringBuilder expected = new StringBuilder();
        bySection.forEach((s, slots) -> expected.append("\nsection = ").append(s).append('\n')
                .append(ExpectedHistogram.log2(slots, "value")));
        assertEquals(expected.toString(), print(out -> shist.printLog2Hist(out,
                Histogram.Options.defaults().withSection("section", null))));

        // A char-array section prints as Python shows bytes, or through section_print_fn.
        String text = print(out -> chist.printLog2Hist(out, Histogram.Options.defaults().withSection("name", null)));
        assertTrue(text.contains("\nname = b'odd'\n"), text);
        assertTrue(text.contains("\nname = b'even'\n"), text);
        String custom = print(out -> chist.printLog2Hist(out, Histogram.Options.defaults()
                .withSection("name", s -> ((String) s).toUpperCase())));
        assertTrue(custom.contains("\nname = ODD\n"), custom);
        Value key = chist.keys().getFirst();
        assertTrue(key.toString().matches("ckey_t\\(name=b'(odd|even)', slot=\\d+\\)"), key.toString());
    }

    @Test
    void queueAndStack() {
        QueueStack fifo = bpf.get("fifo");
        QueueStack lifo = bpf.get("lifo");
        fifo.values();
        lifo.values();
        for (long v : new long[] {11, 22, 33}) run(v, 1, 0, 1);
        assertEquals(11, fifo.peek().value());
        assertEquals(33, lifo.peek().value());
        assertEquals(List.of(11L, 22L, 33L), fifo.values().stream().map(Value::value).toList());
        assertEquals(33, lifo.pop().value());
        lifo.push(44);
        assertEquals(List.of(44L, 22L, 11L), lifo.values().stream().map(Value::value).toList());
        assertNull(fifo.pop());
        for (int i = 0; i < 8; i++) fifo.push(i);
        assertThrows(dev.jbcc.errors.SyscallException.class, () -> fifo.push(99));
        fifo.push(fifo.leaf(99), QueueStack.BPF_EXIST);
        assertEquals(1, fifo.pop().value()); // 0 was evicted
        fifo.values();
    }

    @Test
    void lpmTrieLongestPrefix() {
        LpmTrie routes = bpf.get("routes");
        routes.clear();
        // 10.0.0.0/8 -> 1, 10.1.0.0/16 -> 2 (address bytes in network order, as the kernel compares them).
        routes.put(prefix(routes, 8, 10, 0, 0, 0), routes.leaf(1));
        routes.put(prefix(routes, 16, 10, 1, 0, 0), routes.leaf(2));
        assertEquals(2, routes.longestMatch(prefix(routes, 32, 10, 1, 2, 3)).value());
        assertEquals(1, routes.longestMatch(prefix(routes, 32, 10, 9, 2, 3)).value());
        assertNull(routes.longestMatch(prefix(routes, 32, 11, 1, 2, 3)));
        assertEquals(2, routes.size());
        routes.clear();
    }

    private static Value prefix(LpmTrie t, int bits, int a, int b, int c, int d) {
        int addr = (a & 0xff) | (b & 0xff) << 8 | (c & 0xff) << 16 | (d & 0xff) << 24;
        return t.newKey().with("prefixlen", bits).with("addr", Integer.toUnsignedLong(addr));
    }

    @Test
    void perCpuTablesHoldOneLeafPerCpu() {
        PerCpuArray pcpu = bpf.get("pcpu");
        PerCpuHash pcpuh = bpf.get("pcpuh");
        pcpu.clear();
        pcpuh.clear();
        BpfFunction bump = bpf.loadFunc("pcpu_bump", BPF.RAW_TRACEPOINT);
        int[] online = OnlineCpus.read();
        Map<Integer, Long> added = new HashMap<>();
        for (int i = 0; i < online.length; i++) {
            long amount = 10L * (i + 1);
            byte[] ctx = new byte[8];
            MemorySegment.ofArray(ctx).set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, amount);
            bump.program().testRun(TestRun.context(ctx).onCpu(online[i]));
            added.put(online[i], amount);
        }
        int possible = possibleCpus();
        List<Value> leaves = pcpu.get(0);
        assertEquals(possible, leaves.size());
        assertEquals(possible, pcpu.possibleCpus());
        long total = 0;
        for (int cpu = 0; cpu < leaves.size(); cpu++) {
            assertEquals(added.getOrDefault(cpu, 0L), leaves.get(cpu).value(), "CPU " + cpu);
            total += added.getOrDefault(cpu, 0L);
        }
        assertEquals(total, pcpu.sum(0));
        assertEquals(added.values().stream().mapToLong(Long::longValue).max().orElseThrow(), pcpu.max(0));
        assertEquals((double) total / possible, pcpu.average(0));
        assertEquals(total, pcpuh.sum(pcpuh.key(7)));
        // Written from Java per CPU, read back; deleting an array element zeroes every CPU.
        pcpuh.put(pcpuh.key(8), pcpuh.allCpus(pcpuh.leaf(5)));
        assertEquals(5L * possible, pcpuh.sum(pcpuh.key(8)));
        pcpu.delete(0);
        assertEquals(0, pcpu.sum(0));
    }

    @Test
    void perfAndRingEventsDecodeAsTheSubmittedStruct() {
        PerfEventArray events = bpf.get("events");
        RingBuf ring = bpf.get("ring");
        List<Value> perf = new ArrayList<>();
        List<Value> rings = new ArrayList<>();
        events.openPerfBuffer((cpu, data, size) -> perf.add(events.event(data)));
        ring.openRingBuffer((data, size) -> rings.add(ring.event(data)));
        for (long v : new long[] {7, 8, 9}) run(v, 2, 0, 1);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (perf.size() < 3 && System.nanoTime() < deadline) bpf.perfBufferPoll(100);
        bpf.ringBufferConsume();
        assertEquals(List.of(7L, 8L, 9L), perf.stream().map(e -> e.getLong("value")).toList());
        assertEquals(List.of(14L, 16L, 18L), rings.stream().map(e -> e.getLong("value")).toList());
        Value first = perf.getFirst();
        assertEquals("perf", first.getString("tag"));
        assertEquals(2, first.getLong("op"));
        assertEquals("struct event_t", first.typeName());
        assertEquals("event_t(value=7, op=2, tag=b'perf')", first.toString());
        assertEquals("ring", rings.getFirst().getString("tag"));
    }

    @Test
    void bitfieldsSpanningNineBytesReadAndWriteAsTheProgramLaysThemOut() {
        HashTable bits = bpf.get("bits");
        bits.clear();
        assertEquals(9, bits.newLeaf().size(), "packed: 3 + 62 + 3 bits");
        long mask = (1L << 62) - 1;
        long wide = 0x3bcd_ef01_2345_6789L; // bits 61 and 60 set: they live in the ninth byte
        Value in = bits.newLeaf().with("low", 5).with("wide", wide).with("high", -2);
        assertEquals(5, in.getLong("low"));
        assertEquals(wide, in.getLong("wide"));
        assertEquals(-2, in.getLong("high"));
        bits.put(bits.key(0), in);
        long added = 0x0400_0000_0000_1111L;
        run(added, 4, 0, 1);
        Value out = bits.get(1);
        assertEquals(6, out.getLong("low"));
        assertEquals((wide + added) & mask, out.getLong("wide"));
        assertEquals(-3, out.getLong("high"));
        bits.clear();
    }

    @Test
    void valuesAreBuiltAndCheckedByType() {
        HashTable shist = bpf.get("shist");
        Value k = shist.newKey().with("section", 3).with("slot", 9);
        assertEquals(3, k.getLong("section"));
        assertEquals(9, k.getLong("slot"));
        var e = assertThrows(IllegalArgumentException.class, () -> k.get("bucket"));
        assertTrue(e.getMessage().contains("[section, slot]"), e.getMessage());
        HashTable counts = bpf.get("counts");
        var wrong = assertThrows(IllegalArgumentException.class, () -> counts.get(shist.newKey()));
        assertTrue(wrong.getMessage().contains("4-byte keys (u32)"), wrong.getMessage());
        var unknown = assertThrows(NotFoundException.class, () -> bpf.get("nope"));
        assertTrue(unknown.getMessage().contains("counts"), unknown.getMessage());
        assertThrows(ClassCastException.class, () -> {
            ArrayTable notArray = bpf.get("counts");
            notArray.size();
        });
    }

    private static int possibleCpus() {
        try {
            return OnlineCpus.parse(java.nio.file.Files.readString(java.nio.file.Path.of("/sys/devices/system/cpu/possible")).strip()).length;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String print(java.util.function.Consumer<PrintStream> printer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        printer.accept(out);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
