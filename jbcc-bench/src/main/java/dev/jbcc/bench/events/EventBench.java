package dev.jbcc.bench.events;

import dev.jbcc.BpfMap;
import dev.jbcc.Collection;
import dev.jbcc.Program;
import dev.jbcc.TestRun;
import dev.jbcc.bench.Stats;
import dev.jbcc.link.TracepointLink;
import dev.jbcc.perf.PerfBufferOptions;
import dev.jbcc.perf.PerfBufferReader;
import dev.jbcc.perf.RawSampleHandler;
import dev.jbcc.ringbuf.RawRecordHandler;
import dev.jbcc.ringbuf.RingBufferReader;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ObjectReader;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Figures 1 and 2 of issue 6: events/s consumed, records dropped and consumer CPU per event, for
 * jbcc's {@link RingBufferReader} / {@link PerfBufferReader} and for libbpf's ring_buffer /
 * perf_buffer (the C program {@code events.c}), on the producers of {@code events.bpf.c}.
 *
 * <pre>
 *   EventBench ring|perf OBJECT C_BINARY REPS BUFFER_BYTES
 * </pre>
 *
 * <p>Fairness: both sides load the same object, size the ring (or each CPU's perf ring) the
 * same, run the same producer on a second thread with the same counts, and measure the same way:
 * per repetition a fresh reader, a warm-up run of a tenth of the records, then the measured run;
 * elapsed time from the producer's start to the last delivered batch, CPU time of the consuming
 * thread. Both sides' handlers read the record's first word; the Java side uses the readers'
 * allocation-free handlers ({@link RawRecordHandler}, {@link RawSampleHandler}), as libbpf's
 * callbacks get a pointer. Repetitions alternate Java and C and the medians are printed. The Java side first runs
 * two unmeasured repetitions so that the JIT has compiled the poll loop, as it would have in any
 * tool that runs longer than a second.
 *
 * <p>Placement: with {@code EVENTS_PIN=CONSUMER,PRODUCER} (CPU numbers; events-common.sh sets
 * {@code 0,1} on a machine with two CPUs or more) both sides pin the consuming thread and the
 * producer thread to those CPUs with sched_setaffinity, so that the figures do not swing with
 * where the scheduler happens to put the two threads (on the same CPU a wake-up per record
 * becomes a context switch per record).
 */
public final class EventBench {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final MethodHandle GETPID, GETPPID, GETTID, SCHED_SETAFFINITY;
    /** The consumer's and the producer's CPU from EVENTS_PIN, or -1 for no pinning. */
    private static final int CONSUMER_CPU = pinned(0), PRODUCER_CPU = pinned(1);

    static {
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor intFn = FunctionDescriptor.of(ValueLayout.JAVA_INT);
        GETPID = linker.downcallHandle(linker.defaultLookup().findOrThrow("getpid"), intFn);
        GETPPID = linker.downcallHandle(linker.defaultLookup().findOrThrow("getppid"), intFn);
        GETTID = linker.downcallHandle(linker.defaultLookup().findOrThrow("gettid"), intFn);
        SCHED_SETAFFINITY = linker.downcallHandle(linker.defaultLookup().findOrThrow("sched_setaffinity"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    }

    private static int pinned(int index) {
        String pin = System.getenv("EVENTS_PIN");
        if (pin == null || pin.isBlank()) return -1;
        String[] cpus = pin.split(",");
        if (cpus.length != 2) throw new IllegalArgumentException("EVENTS_PIN=" + pin + ": give CONSUMER,PRODUCER, e.g. 0,1");
        return Integer.parseInt(cpus[index].strip());
    }

    /** Pins the calling thread to {@code cpu} (no-op for -1): sched_setaffinity(0, …) acts on the caller only. */
    private static void pin(int cpu) {
        if (cpu < 0) return;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(128); // cpu_set_t: 1024 CPUs
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            int rc = (int) SCHED_SETAFFINITY.invokeExact(0, mask.byteSize(), mask);
            if (rc != 0) throw new IllegalStateException("sched_setaffinity to CPU " + cpu + " failed");
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }

    /** One benchmark case: producer, record size, records per run, records per burst call. */
    record Case(String producer, int size, long count, int chunk) {
        String name(String kind) {
            return kind + "." + producer + "." + (size == 1024 ? "1KiB" : size + "B");
        }
    }

    /** One measured run; {@code produceNanos} is the producer thread's wall time from its start to its last record. */
    record Run(long delivered, long dropped, long elapsedNanos, long cpuNanos, long produceNanos) {
        double eventsPerSecond() { return delivered / (elapsedNanos / 1e9); }
        double cpuNanosPerEvent() { return (double) cpuNanos / Math.max(delivered, 1); }
    }

    private final String kind;
    private final Path object;
    private final Path cBinary;
    private final long bufferBytes;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    /** Written by the handler on the consuming thread only. */
    private long delivered, checksum;
    /** Records the producer committed, published when it is done; -1 while it runs. */
    private volatile long target;
    private volatile Throwable producerFailure;
    private volatile long produceNanos;

    private EventBench(String kind, Path object, Path cBinary, long bufferBytes) {
        this.kind = kind;
        this.object = object;
        this.cBinary = cBinary;
        this.bufferBytes = bufferBytes;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5 || !(args[0].equals("ring") || args[0].equals("perf"))) {
            System.err.println("usage: EventBench ring|perf OBJECT C_BINARY REPS BUFFER_BYTES");
            System.exit(2);
        }
        String kind = args[0];
        pin(CONSUMER_CPU);
        int reps = Integer.parseInt(args[3]);
        var bench = new EventBench(kind, Path.of(args[1]), Path.of(args[2]), Long.parseLong(args[4]));
        double scale = Double.parseDouble(System.getenv().getOrDefault("BENCH_SCALE", "1"));
        // Counts give runs of a few hundred milliseconds; perf wakes the reader per record and is slower.
        List<Case> cases = kind.equals("ring")
                ? List.of(new Case("burst", 64, scaled(4_000_000, scale), 4096), new Case("burst", 1024, scaled(800_000, scale), 4096),
                          new Case("tp", 64, scaled(300_000, scale), 0), new Case("tp", 1024, scaled(200_000, scale), 0))
                : List.of(new Case("burst", 64, scaled(200_000, scale), 4096), new Case("burst", 1024, scaled(100_000, scale), 4096),
                          new Case("tp", 64, scaled(50_000, scale), 0), new Case("tp", 1024, scaled(50_000, scale), 0));
        List<String> lines = new ArrayList<>(), misses = new ArrayList<>();
        for (Case c : cases) bench.measure(c, reps, lines, misses);
        lines.forEach(System.out::println);
        System.out.println("#misses");
        misses.forEach(System.out::println);
    }

    private static long scaled(long count, double scale) {
        return Math.max(1000, Math.round(count * scale));
    }

    private void measure(Case c, int reps, List<String> lines, List<String> misses) throws Exception {
        CollectionSpec spec = ObjectReader.read(object);
        spec = spec.withMap(spec.map("ring").withMaxEntries((int) bufferBytes));
        String programName = (c.producer().equals("burst") ? "burst_" : "tp_") + kind;
        List<Run> java = new ArrayList<>(), cside = new ArrayList<>();
        try (Collection coll = Collection.load(spec)) {
            Program program = coll.program(programName);
            TracepointLink link = programName.equals("burst_ring") ? null
                    : TracepointLink.attach(program, "syscalls", programName.equals("burst_perf") ? "sys_enter_getppid" : "sys_enter_getpid");
            try {
                for (int i = 0; i < 2; i++) runJava(coll, program, c); // JIT warm-up, not measured
                for (int i = 0; i < reps; i++) {
                    java.add(runJava(coll, program, c));
                    cside.add(runC(c));
                }
            } finally {
                if (link != null) link.close();
            }
        }
        String name = c.name(kind);
        double jEvents = Stats.median(java.stream().mapToDouble(Run::eventsPerSecond).toArray());
        double cEvents = Stats.median(cside.stream().mapToDouble(Run::eventsPerSecond).toArray());
        double jDropped = Stats.median(java.stream().mapToDouble(Run::dropped).toArray());
        double cDropped = Stats.median(cside.stream().mapToDouble(Run::dropped).toArray());
        double jCpu = Stats.median(java.stream().mapToDouble(Run::cpuNanosPerEvent).toArray());
        double cCpu = Stats.median(cside.stream().mapToDouble(Run::cpuNanosPerEvent).toArray());
        lines.add(Stats.line(name + ".events_per_s", jEvents, cEvents));
        lines.add(Stats.lineNoRatio(name + ".dropped", jDropped, cDropped) + " (of " + c.count() + ")");
        lines.add(Stats.line(name + ".cpu_ns_per_event", jCpu, cCpu));
        // The producer's own time, to tell a slow consumer from a producer the scheduler slowed down.
        double jProduce = Stats.median(java.stream().mapToDouble(r -> r.produceNanos() / 1e6).toArray());
        double cProduce = Stats.median(cside.stream().mapToDouble(r -> r.produceNanos() / 1e6).toArray());
        lines.add(Stats.lineNoRatio(name + ".producer_ms", jProduce, cProduce));
        if (jEvents < cEvents)
            misses.add(String.format(Locale.ROOT, "%s.events_per_s: %.2f× C, %.0f%% short of the 1.0× target",
                    name, jEvents / cEvents, 100 * (1 - jEvents / cEvents)));
        if (cDropped == 0 && jDropped > 0)
            misses.add(String.format(Locale.ROOT, "%s.dropped: Java dropped %s (median) where C dropped none", name, Stats.format(jDropped)));
    }

    // ---- the Java side ----

    private Run runJava(Collection coll, Program program, Case c) throws Exception {
        BpfMap map = coll.map(kind);
        if (kind.equals("ring")) {
            // The allocation-free handler: an offset into the ring, no segment per record.
            try (var reader = RingBufferReader.open(map, (RawRecordHandler) (ring, offset, length) -> {
                checksum += ring.get(U64, offset);
                delivered++;
            })) {
                runOnce(coll, program, c, Math.max(1, c.count() / 10), reader::poll);
                return runOnce(coll, program, c, c.count(), reader::poll);
            }
        }
        var options = PerfBufferOptions.defaults().withPagesPerCpu((int) (bufferBytes / 4096));
        try (var reader = PerfBufferReader.open(map, options, (RawSampleHandler) (cpu, buffer, offset, length) -> {
            checksum += buffer.get(U64, offset);
            delivered++;
        }, null)) {
            runOnce(coll, program, c, Math.max(1, c.count() / 10), reader::poll);
            return runOnce(coll, program, c, c.count(), reader::poll);
        }
    }

    private interface Poller {
        int poll(Duration timeout);
    }

    private Run runOnce(Collection coll, Program program, Case c, long count, Poller reader) throws Exception {
        BpfMap stats = coll.map("stats"), config = coll.map("config");
        put(stats, 0, 0);
        put(stats, 1, 0);
        delivered = 0;
        target = -1;
        producerFailure = null;
        Thread producer = Thread.ofPlatform().name("producer").unstarted(() -> {
            try {
                pin(PRODUCER_CPU);
                long p0 = System.nanoTime();
                produce(coll, program, config, c, count);
                produceNanos = System.nanoTime() - p0;
                target = get(stats, 1);
            } catch (Throwable t) {
                producerFailure = t;
                target = 0;
            }
        });
        long cpu0 = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime(), last = start;
        producer.start();
        while (true) {
            int n = reader.poll(POLL_TIMEOUT);
            if (n > 0) last = System.nanoTime();
            long t = target;
            if (t >= 0 && delivered >= t) break;
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        producer.join();
        if (producerFailure != null) throw new IllegalStateException("producer failed", producerFailure);
        return new Run(delivered, get(stats, 0), last - start, cpu, produceNanos);
    }

    private void produce(Collection coll, Program program, BpfMap config, Case c, long count) throws Throwable {
        switch (kind + "." + c.producer()) {
            case "ring.burst" -> {
                long seq = 0;
                for (long left = count; left > 0; ) {
                    int n = (int) Math.min(left, c.chunk());
                    ByteBuffer args = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(seq).putInt(n).putInt(c.size());
                    // Syscall programs take a context only: no data, repeat, flags or CPU.
                    program.testRun(new TestRun(null, 0, args.array(), 0, 0, 0, 0));
                    seq += n;
                    left -= n;
                }
            }
            case "perf.burst" -> {
                put(config, 1, c.size());
                put(config, 0, (int) GETTID.invokeExact());
                long last = 0;
                for (long left = count; left > 0; ) {
                    long n = Math.min(left, c.chunk());
                    if (n != last) put(config, 2, last = n);
                    int unused = (int) GETPPID.invokeExact();
                    left -= n;
                }
                put(config, 0, 0);
            }
            default -> {
                put(config, 1, c.size());
                put(config, 0, (int) GETTID.invokeExact());
                for (long i = 0; i < count; i++) {
                    int unused = (int) GETPID.invokeExact();
                }
                put(config, 0, 0);
            }
        }
    }

    private static void put(BpfMap map, int key, long value) {
        map.update(MemorySegment.ofArray(new int[] {key}), MemorySegment.ofArray(new long[] {value}));
    }

    private static long get(BpfMap map, int key) {
        long[] value = new long[1];
        map.lookup(MemorySegment.ofArray(new int[] {key}), MemorySegment.ofArray(value));
        return value[0];
    }

    // ---- the C side ----

    private Run runC(Case c) throws IOException, InterruptedException {
        Path err = Files.createTempFile("events-c", ".err");
        try {
            Process p = new ProcessBuilder(cBinary.toString(), object.toString(), kind, c.producer(), String.valueOf(c.size()),
                    String.valueOf(c.count()), String.valueOf(bufferBytes), String.valueOf(c.chunk()))
                    .redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int rc = p.waitFor();
            if (rc != 0) throw new IllegalStateException(cBinary + " failed (" + rc + "): " + tail(err));
            Map<String, Long> fields = new HashMap<>();
            for (String kv : out.split("\\s+")) {
                int eq = kv.indexOf('=');
                fields.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
            }
            return new Run(fields.get("delivered"), fields.get("dropped"), fields.get("elapsed_ns"), fields.get("cpu_ns"),
                    fields.get("produce_ns"));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }
}
