package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * profile and offcputime name a JVM's Java frames (issue 14): a child JVM, on each JDK the JVM tools
 * target, spins in one uniquely named method and blocks in another; the stacks jbcc samples name
 * them, and the JVM's own execution samples (JFR) agree on which method the time went to.
 */
@Tag("examples")
class JavaFramesTest {
    static List<Path> jdks() throws IOException {
        return TargetJvm.jdks();
    }

    /**
     * A JVM spinning in {@code Spin_ID.spin_ID()} in thread "spin-ID", and blocked in
     * {@code Spin_ID.nap_ID(InputStream)} (reading its standard input, a byte at a time: 'x' wakes
     * it, 'q' ends the JVM) in thread "nap-ID".
     */
    private record Child(Process process, String cls, String spin, String nap, String spinThread, String napThread, Path jfr,
                         Path dir) implements AutoCloseable {
        static Child start(Path javaHome) throws IOException {
            String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
            String cls = "Spin_" + id;
            Path dir = Files.createTempDirectory("jbcc-java-frames-");
            Path source = dir.resolve(cls + ".java");
            Files.writeString(source, """
                    public class CLS {
                        static volatile long sink;
                        static volatile boolean stop;

                        static void SPIN() {
                            long x = 0;
                            while (!stop) x = x * 31 + 7;
                            sink = x;
                        }

                        // blocks in read(2) when given standard input; JIT-compiled, so its frame is named
                        static int NAP(java.io.InputStream in) throws java.io.IOException {
                            return in.read();
                        }

                        public static void main(String[] args) throws Exception {
                            // under C2's threshold, so the C1 code (which does not speculate on the stream's type) stays
                            for (int i = 0; i < 1000; i++) sink += NAP(new java.io.ByteArrayInputStream(new byte[1]));
                            Thread.sleep(1000);
                            Thread spinner = new Thread(CLS::SPIN, "SPIN_THREAD");
                            Thread napper = new Thread(() -> {
                                try {
                                    java.io.InputStream in = new java.io.FileInputStream(java.io.FileDescriptor.in);
                                    while (NAP(in) == 'x') sink++;
                                } catch (java.io.IOException e) {
                                    // ends
                                }
                            }, "NAP_THREAD");
                            spinner.start();
                            napper.start();
                            System.out.println("ready");
                            System.out.flush();
                            napper.join();
                            stop = true;
                            spinner.join();
                        }
                    }
                    """.replace("CLS", cls).replace("SPIN_THREAD", "spin-" + id.substring(0, 6)).replace("NAP_THREAD", "nap-" + id.substring(0, 6))
                    .replace("SPIN", "spin_" + id).replace("NAP", "nap_" + id));
            Path jfr = dir.resolve("samples.jfr");
            Process p = new ProcessBuilder(javaHome.resolve("bin/java").toString(),
                    "-XX:StartFlightRecording:settings=profile,dumponexit=true,filename=" + jfr, source.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Child c = new Child(p, cls, "spin_" + id, "nap_" + id, "spin-" + id.substring(0, 6), "nap-" + id.substring(0, 6), jfr, dir);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            while (line != null && line.contains("[jfr")) line = out.readLine(); // JFR's startup log goes to standard output
            if (!"ready".equals(line)) {
                c.close();
                throw new AssertionError("the child JVM on " + javaHome + " said " + line + " instead of ready");
            }
            return c;
        }

        /** Wakes the thread blocked in {@code nap}, which blocks again. */
        void wake() throws IOException {
            process.getOutputStream().write('x');
            process.getOutputStream().flush();
        }

        /** Lets the child end (which dumps its recording). */
        void end() throws IOException, InterruptedException {
            process.getOutputStream().write('q');
            process.getOutputStream().flush();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end");
        }

        @Override
        public void close() throws IOException {
            process.destroyForcibly();
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
            Files.deleteIfExists(Path.of("/tmp", "perf-" + process.pid() + ".map"));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void profileNamesTheJitCompiledMethodAsJfrDoes(Path jdk) throws Exception {
        try (Child c = Child.start(jdk)) {
            String frame = c.cls() + "." + c.spin() + "()";
            Map<String, Long> leaves = new HashMap<>();
            long total = 0;
            long withFrame = 0;
            Path html = c.dir().resolve("cpu.html");
            try (ToolRun run = Runs.started("profile", "-v", "-f", "-U", "-F", "99", "-p", String.valueOf(c.process().pid()),
                    "--flamegraph", html.toString(), "3")) {
                assertEquals(0, run.await(Runs.READY), run.errors());
                String map = "/tmp/perf-" + c.process().pid() + ".map";
                assertTrue(run.errors().contains(map) && run.errors().contains("left in place"), "--verbose names the map:\n" + run.errors());
                assertTrue(Files.readString(html).contains(frame), "the flame graph has " + frame);
                for (String line : run.lines()) {
                    long n = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
                    List<String> frames = List.of(line.substring(0, line.lastIndexOf(' ')).split(";"));
                    total += n;
                    if (frames.contains(frame)) {
                        withFrame += n;
                        assertEquals(c.spinThread(), frames.getFirst(), "the thread's name is the root frame: " + line);
                    }
                    leaves.merge(frames.getLast(), n, Long::sum);
                }
                System.out.printf("JDK %d profile: %s in %d of %d samples (%.0f%%)%n", TargetJvm.version(jdk), frame, withFrame, total,
                        100.0 * withFrame / Math.max(1, total));
                assertTrue(total > 0 && withFrame * 2 >= total, withFrame + " of " + total + " samples in " + frame + ":\n" + run.output());
                assertEquals(frame, top(leaves), "profile's hottest innermost frame:\n" + run.output());
            }
            c.end();
            Map<String, Long> jfrTops = new HashMap<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(c.jfr())) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) continue;
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                if (frames.isEmpty()) continue;
                var m = frames.getFirst().getMethod();
                jfrTops.merge(m.getType().getName() + "." + m.getName() + "()", 1L, Long::sum);
            }
            long jfrTotal = jfrTops.values().stream().mapToLong(Long::longValue).sum();
            System.out.printf("JDK %d JFR: %s tops %d of %d execution samples%n", TargetJvm.version(jdk), frame,
                    jfrTops.getOrDefault(frame, 0L), jfrTotal);
            assertEquals(frame, top(jfrTops), "JFR's hottest method: " + jfrTops);
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void offcputimeNamesTheMethodAThreadBlocksIn(Path jdk) throws Exception {
        try (Child c = Child.start(jdk)) {
            String frame = c.cls() + "." + c.nap() + "(java.io.InputStream)";
            try (ToolRun run = Runs.started("offcputime", "-f", "-p", String.valueOf(c.process().pid()), "2")) {
                // offcputime counts a block when the thread runs again
                for (long end = System.nanoTime() + 2_500_000_000L; System.nanoTime() < end; Thread.sleep(50)) c.wake();
                assertEquals(0, run.await(Runs.READY), run.errors());
                List<String> napping = run.lines().stream().filter(l -> l.startsWith(c.napThread() + ";")).toList();
                assertTrue(napping.stream().anyMatch(l -> List.of(l.substring(0, l.lastIndexOf(' ')).split(";")).contains(frame)),
                        "no off-CPU stack of " + c.napThread() + " through " + frame + ":\n" + run.output());
                long usecs = napping.stream().filter(l -> l.contains(";" + frame + ";"))
                        .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
                System.out.printf("JDK %d offcputime: %d us off-CPU through %s in 2 s%n", TargetJvm.version(jdk), usecs, frame);
            }
        }
    }

    private static String top(Map<String, Long> counts) {
        return counts.entrySet().stream().max(Map.Entry.comparingByValue(Comparator.naturalOrder())).map(Map.Entry::getKey).orElse(null);
    }
}
