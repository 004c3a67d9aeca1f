package dev.jbcc.tools.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** mountsnoop on a tmpfs the test mounts (and unmounts) itself, by calling libc's mount() in this thread. */
class MountsnoopTest {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MOUNT = LINKER.downcallHandle(LINKER.defaultLookup().find("mount").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle UMOUNT2 = LINKER.downcallHandle(LINKER.defaultLookup().find("umount2").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final long MS_NOSUID = 2, MS_NODEV = 4;

    @TempDir
    Path dir;

    @Test
    void showsTheTestsMountAndUmountWithArgumentsAndNamespace() throws Throwable {
        String source = "jbcc-" + UUID.randomUUID();
        String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // PID/task/TID
        String tid = self.substring(self.lastIndexOf('/') + 1);
        String comm = Files.readString(Path.of("/proc/thread-self/comm")).strip();
        String ns = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString().replaceAll("\\D", "");
        try (ToolRun run = Runs.started("mountsnoop", "-P"); Arena arena = Arena.ofConfined()) {
            assertEquals("COMM             PID     TID     PCOMM            PPID    MNT_NS      CALL", run.lines().getFirst());
            MemorySegment target = arena.allocateFrom(dir.toString());
            int rc = (int) MOUNT.invokeExact(arena.allocateFrom(source), target, arena.allocateFrom("tmpfs"),
                    MS_NOSUID | MS_NODEV, arena.allocateFrom("size=1m"));
            assertEquals(0, rc, "mount of a tmpfs on " + dir);
            assertEquals(0, (int) UMOUNT2.invokeExact(target, 0));
            MemorySegment missing = arena.allocateFrom(dir.resolve("missing").toString());
            assertNotEquals(0, (int) MOUNT.invokeExact(arena.allocateFrom(source), missing, arena.allocateFrom("tmpfs"), 0L,
                    MemorySegment.NULL));

            List<String> c = Runs.columns(line(run, "mount(\"" + source + "\", \"" + dir + "\""), 7);
            String pid = String.valueOf(ProcessHandle.current().pid());
            String ppid = String.valueOf(ProcessHandle.current().parent().orElseThrow().pid());
            assertEquals(List.of(pid, tid, ppid, ns), List.of(c.get(1), c.get(2), c.get(4), c.get(5)));
            assertEquals(comm, c.get(0));
            assertEquals("mount(\"" + source + "\", \"" + dir + "\", \"tmpfs\", MS_NOSUID|MS_NODEV, \"size=1m\") = 0", c.get(6));
            c = Runs.columns(line(run, "umount(\"" + dir + "\""), 7);
            assertEquals("umount(\"" + dir + "\", 0x0) = 0", c.get(6));
            c = Runs.columns(line(run, "mount(\"" + source + "\", \"" + dir + "/missing\""), 7);
            assertEquals("mount(\"" + source + "\", \"" + dir + "/missing\", \"tmpfs\", 0x0, \"\") = -ENOENT", c.get(6));
            assertEquals(0, run.stop(Runs.READY));
        }
    }

    @Test
    void jsonForAFailedUmount() throws Throwable {
        Path notMounted = dir.resolve("not-mounted-" + UUID.randomUUID());
        Files.createDirectory(notMounted);
        try (ToolRun run = Runs.started("mountsnoop", "--json"); Arena arena = Arena.ofConfined()) {
            assertNotEquals(0, (int) UMOUNT2.invokeExact(arena.allocateFrom(notMounted.toString()), 2 /* MNT_DETACH */));
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains(notMounted.toString()), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no umount of " + notMounted + ": " + run.output() + run.errors())));
            assertEquals(ProcessHandle.current().pid(), e.get("pid").asLong());
            assertEquals("umount(\"" + notMounted + "\", MNT_DETACH) = -EINVAL", e.get("call").asText(), "not a mount point");
            List<String> keys = new java.util.ArrayList<>();
            e.fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("comm", "pid", "tid", "mnt_ns", "call"), keys);
        }
    }

    private static String line(ToolRun run, String call) throws InterruptedException {
        return run.awaitLine(l -> l.contains(call), Runs.EVENT).orElseThrow(
                () -> new AssertionError("no " + call + ": " + run.output() + run.errors()));
    }
}
