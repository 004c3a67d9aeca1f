package dev.jbcc.trace;

import dev.jbcc.Collection;
import dev.jbcc.TestRun;
import dev.jbcc.errors.AlreadyClosedException;
import dev.jbcc.perf.OnlineCpus;
import dev.jbcc.testing.BpfObjects;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

@ExtendWith(FdLeakCheck.class)
class TracePipeTest {

    private static String uniqueInstance() {
        return "jbcc-test-" + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    @Test
    void bpfPrintkFromATestRunIsReadBackAndParsed() throws Exception {
        long marker = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        String name = uniqueInstance();
        Path dir;
        try (Collection c = Collection.load(BpfObjects.compile("events/trace.c"));
             TracePipe pipe = TracePipe.openInstance(name)) {
            dir = pipe.path().getParent();
            assertTrue(Files.isDirectory(dir));
            // The program runs on a thread of its own. The kernel fills in the comm of a trace line
            // from a cache it updates when the task is switched out; the thread has ended (and so
            // been switched out) before we read.
            String[] identity = new String[2];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread printer = Thread.ofPlatform().name("jbcc-printk").start(() -> {
                try {
                    identity[0] = Files.readString(Path.of("/proc/thread-self/stat")).split(" ")[0];
                    identity[1] = Files.readString(Path.of("/proc/thread-self/comm")).strip();
                    byte[] ctx = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(marker).array();
                    assertEquals(0, c.program("say").testRun(new TestRun(null, 0, ctx, 0, 0, 0, 0)).returnValue());
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            printer.join();
            assertNull(failure.get());
            int tid = Integer.parseInt(identity[0]);
            String comm = identity[1];
            assertEquals("jbcc-printk", comm, "the JVM names the native thread after the Java thread");

            String expected = "jbcc trace marker " + Long.toUnsignedString(marker) + ": ok";
            TraceEvent event = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (event == null) {
                var next = pipe.readEvent(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                if (next.isEmpty()) fail("no line with marker " + marker + " in " + pipe.path() + " within 30 s");
                if (next.get().message().equals(expected)) event = next.get();
            }
            assertEquals(comm, event.task());
            assertEquals(tid, event.pid());
            int cpu = event.cpu();
            assertTrue(Arrays.stream(OnlineCpus.read()).anyMatch(online -> online == cpu), "cpu " + cpu);
            assertEquals("bpf_trace_printk", event.event());
            assertTrue(event.timestamp() > 0);
            assertFalse(event.flags().isEmpty());
        }
        assertFalse(Files.exists(dir), "close() removed the tracing instance");
    }

    @Test
    void closingWhileAnotherThreadReadsEndsTheRead() throws Exception {
        TracePipe pipe = TracePipe.openInstance(uniqueInstance());
        AtomicReference<Throwable> ended = new AtomicReference<>();
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                started.complete(null);
                while (true) pipe.readLine();
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        started.get(1, TimeUnit.MINUTES);
        pipe.close();
        reader.join(Duration.ofMinutes(1));
        assertFalse(reader.isAlive());
        assertInstanceOf(AlreadyClosedException.class, ended.get());
        assertThrows(AlreadyClosedException.class, () -> pipe.readLine(Duration.ZERO));
        assertFalse(Files.exists(pipe.path().getParent()));
        pipe.close();
    }

    @Test
    void anInstanceAKilledProcessLeftIsRemovedByTheNextOpenAndALiveOneStays() throws Exception {
        try (TracePipe mine = TracePipe.openPrivate()) {
            Path live = mine.path().getParent();
            assertTrue(live.getFileName().toString().startsWith("jbcc-" + ProcessHandle.current().pid() + "-"), live.toString());
            Path left = KilledReader.openAndKill();
            try (TracePipe next = TracePipe.openPrivate()) {
                assertFalse(Files.exists(left), "the next open removed " + left);
                assertTrue(Files.isDirectory(live), "this live process's instance stays");
                assertNotEquals(live, next.path().getParent());
            }
            Path again = KilledReader.openAndKill();
            List<Path> removed = TracePipe.removeLeftoverInstances();
            assertTrue(removed.contains(again), removed.toString());
            assertFalse(removed.contains(live), removed.toString());
            assertFalse(Files.exists(again));
            assertTrue(Files.isDirectory(live));
        }
    }

    @Test
    void closeWaitsForAnotherReaderOfTheInstanceToLetGo() throws Exception {
        // The kernel refuses to remove an instance (EBUSY) while one of its files is open.
        TracePipe pipe = TracePipe.openPrivate();
        Path dir = pipe.path().getParent();
        FileChannel other = FileChannel.open(dir.resolve("tracing_on"), StandardOpenOption.READ);
        Thread letGo = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
                other.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        try {
            pipe.close();
        } finally {
            letGo.join();
            other.close();
        }
        assertFalse(Files.exists(dir), "close() removed the instance once the other reader closed it");
    }

    @Test
    void theGlobalPipeOpensWithoutReading() {
        // Reading the global pipe would take lines from other readers; opening it checks the
        // tracefs lookup and mount path.
        try (TracePipe pipe = TracePipe.open()) {
            assertEquals("trace_pipe", pipe.path().getFileName().toString());
            assertFalse(pipe.isClosed());
        }
    }

    @Test
    void badInstanceNamesAndExistingInstancesAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> TracePipe.openInstance("../escape"));
        assertTrue(e.getMessage().contains("must be 1-64 of"), e.getMessage());
        String name = uniqueInstance();
        try (TracePipe first = TracePipe.openInstance(name)) {
            var again = assertThrows(IllegalArgumentException.class, () -> TracePipe.openInstance(name));
            assertTrue(again.getMessage().contains("already exists"), again.getMessage());
            assertTrue(Files.exists(first.path()), "the failed open left the existing instance alone");
        }
    }

    @Test
    void traceFieldsParsing() {
        TraceEvent e = TraceEvent.parse("          <idle>-0       [001] d.h1. 12345.678901: bpf_trace_printk: Hello, World!").orElseThrow();
        assertEquals(new TraceEvent("<idle>", 0, 1, "d.h1.", 12345.678901, "Hello, World!", OptionalInt.empty(), "bpf_trace_printk"), e);

        // Older kernels: four flag characters, and an address instead of the event name.
        e = TraceEvent.parse("            bash-1234  [000] ....   5.123000: 0x00000001: old: format").orElseThrow();
        assertEquals("bash", e.task());
        assertEquals(1234, e.pid());
        assertEquals("....", e.flags());
        assertEquals("0x00000001", e.event());
        assertEquals("old: format", e.message(), "only the first ': ' after the event separates the message");

        // The record-tgid option adds a column; "-------" when the TGID is unknown.
        e = TraceEvent.parse("     Web Content-4321    ( 4300) [003] ..... 99.000001: bpf_trace_printk: tgid").orElseThrow();
        assertEquals("Web Content", e.task());
        assertEquals(4321, e.pid());
        assertEquals(OptionalInt.of(4300), e.tgid());
        assertEquals(3, e.cpu());
        e = TraceEvent.parse("           <...>-77      (-------) [000] d..2. 1.5: bpf_trace_printk: x").orElseThrow();
        assertEquals(OptionalInt.empty(), e.tgid());
        assertEquals("<...>", e.task());

        // Dashes and digits in the comm: the pid is the number before the CPU column.
        e = TraceEvent.parse("       my-app-12-77      [002] ..... 10.000000: bpf_trace_printk: a-1 [000] .... 1.0: trap").orElseThrow();
        assertEquals("my-app-12", e.task());
        assertEquals(77, e.pid());
        assertEquals(2, e.cpu());
        assertEquals("a-1 [000] .... 1.0: trap", e.message());
        e = TraceEvent.parse(" kworker/u8:2-99 [000] ..... 3.25: bpf_trace_printk: w").orElseThrow();
        assertEquals("kworker/u8:2", e.task());

        // No flags column (irq-info off).
        e = TraceEvent.parse("   cat-5 [000] 7.000001: bpf_trace_printk: no flags").orElseThrow();
        assertEquals("", e.flags());
        assertEquals("no flags", e.message());

        assertTrue(TraceEvent.parse("CPU:1 [LOST 3 EVENTS]").isEmpty());
        assertEquals(3, TraceEvent.lostEvents("CPU:1 [LOST 3 EVENTS]"));
        assertEquals(-1, TraceEvent.lostEvents("bash-1 [000] ..... 1.0: x: y"));
        assertTrue(TraceEvent.parse("# tracer: nop").isEmpty());
        assertTrue(TraceEvent.parse("").isEmpty());
        assertTrue(TraceEvent.parse("garbage without structure").isEmpty());
    }
}
