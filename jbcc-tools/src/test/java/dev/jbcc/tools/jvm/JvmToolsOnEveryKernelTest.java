package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM tools on the VM's kernel too: the other JVM tools' tests start a target per test and per
 * JDK, which QEMU's emulation cannot afford (a child JVM costs minutes there), so this one starts a
 * single target and looks into it with one tool after another, and with profile, which names its
 * Java frames. On the host it repeats, in short,
 * what those tests check.
 */
@Tag("vm")
class JvmToolsOnEveryKernelTest {
    @Test
    void threadsGcClassesCompilationsAndJavaFramesOfOneTarget() throws Exception {
        Path jdk = TargetJvm.jdks().getFirst();
        try (TargetJvm jvm = TargetJvm.start(jdk, "-XX:+UseSerialGC", "-Xmx128m")) {
            String pid = Long.toString(jvm.pid());

            String thread = "jbcc-" + UUID.randomUUID();
            try (ToolRun run = Runs.started("jvm threads", "-p", pid)) {
                String javaId = jvm.ask("thread " + thread).substring("thread ".length());
                List<String> start = Runs.columns(run.awaitLine(l -> l.endsWith(" start  " + thread), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no start of " + thread + ": " + run.output() + run.errors())), 6);
                assertEquals(List.of(pid, javaId), start.subList(1, 3));
                assertEquals(0, run.stop(Runs.READY), run.errors());
            }

            try (ToolRun run = Runs.started("jvm gc", "-p", pid)) {
                jvm.ask("keep 16");
                jvm.ask("gc");
                List<String> c = Runs.columns(run.awaitLine(l -> l.contains("System.gc()"), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no System.gc() collection: " + run.output() + run.errors())), 7);
                assertEquals(pid, c.get(1));
                assertTrue(Long.parseLong(c.get(3)) >= 16 * 1024, "the 16 MB kept were in the heap before: " + c);
                assertTrue(Long.parseLong(c.get(4)) < Long.parseLong(c.get(3)), "the collection freed them: " + c);
                assertEquals(0, run.stop(Runs.READY), run.errors());
            }

            String name = "jbcc/test/V" + UUID.randomUUID().toString().replace("-", "");
            String dotted = name.replace('/', '.');
            try (ToolRun run = Runs.started("jvm classload", "-p", pid, "-n", "^jbcc\\.test\\.")) {
                jvm.ask("load " + name);
                List<String> c = Runs.columns(run.awaitLine(l -> l.endsWith(" " + dotted), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no load of " + dotted + ": " + run.output() + run.errors())), 6);
                assertEquals(List.of(pid, "load"), c.subList(1, 3));
                assertEquals(0, run.stop(Runs.READY), run.errors());
            }

            try (ToolRun run = Runs.started("jvm compile", "-p", pid, "-n", "jbccHotMethod")) {
                jvm.ask("hot");
                List<String> c = Runs.columns(run.awaitLine(l -> l.endsWith(" Workload.jbccHotMethod(I)J"), Runs.EVENT).orElseThrow(
                        () -> new AssertionError("no compilation of jbccHotMethod: " + run.output() + run.errors())), 6);
                assertEquals(pid, c.get(1));
                assertTrue(Set.of("C1", "C2").contains(c.get(2)), c.toString());
                assertEquals(0, run.stop(Runs.READY), run.errors());
            }

            // profile names the JIT-compiled method the target spins in (its perf map), after a
            // moment for the JIT to compile it
            assertEquals("spin", jvm.ask("spin 60"));
            Thread.sleep(3000);
            String frame = "Workload.jbccSpin(long)";
            try (ToolRun run = Runs.started("profile", "-f", "-U", "-F", "49", "-p", pid, "4")) {
                assertEquals(0, run.await(Runs.READY), run.errors());
                long total = 0, spinning = 0;
                for (String line : run.lines()) {
                    long n = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
                    total += n;
                    if (List.of(line.substring(0, line.lastIndexOf(' ')).split(";")).contains(frame)) spinning += n;
                }
                assertTrue(total > 0 && spinning * 2 >= total, spinning + " of " + total + " samples in " + frame + ":\n" + run.output());
            }
        }
    }
}
