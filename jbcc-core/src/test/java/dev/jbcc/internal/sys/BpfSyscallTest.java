package dev.jbcc.internal.sys;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.spec.BpfFlags;
import dev.jbcc.spec.MapType;
import dev.jbcc.spec.ProgramType;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.HostKernelOnly;
import dev.jbcc.testing.TestPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The raw bpf(2) wrappers against the running kernel: each layout proves itself by a round trip. */
@ExtendWith(FdLeakCheck.class)
class BpfSyscallTest {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    private static Fd hash(Arena arena, String name, int maxEntries) {
        return Bpf.mapCreate(new MapCreateAttr(arena).mapType(MapType.HASH.value()).keySize(4).valueSize(8)
                .maxEntries(maxEntries).mapName(name));
    }

    @Test
    void mapCreateFieldsComeBackThroughMapInfo() {
        try (Arena arena = Arena.ofConfined(); Fd map = hash(arena, "jbcc_info", 17)) {
            MapInfo info = Bpf.mapInfo(map);
            assertEquals(MapType.HASH.value(), info.type());
            assertEquals(4, info.keySize());
            assertEquals(8, info.valueSize());
            assertEquals(17, info.maxEntries());
            assertEquals("jbcc_info", info.name());
            assertTrue(info.id() > 0);
            try (Fd again = Bpf.mapGetFdById(info.id())) {
                assertEquals(info.id(), Bpf.mapInfo(again).id());
            }
        }
    }

    @Test
    void elementOperations() {
        try (Arena arena = Arena.ofConfined(); Fd map = hash(arena, "jbcc_elems", 8)) {
            MemorySegment key = arena.allocate(INT), value = arena.allocate(LONG), next = arena.allocate(INT);
            key.set(INT, 0, 7);
            assertFalse(Bpf.mapLookupElem(map, key, value, 0));
            value.set(LONG, 0, 0x1122334455667788L);
            Bpf.mapUpdateElem(map, key, value, BpfFlags.BPF_NOEXIST);
            var again = assertThrows(SyscallException.class, () -> Bpf.mapUpdateElem(map, key, value, BpfFlags.BPF_NOEXIST));
            assertEquals(Errno.EEXIST, again.errno());
            assertEquals("BPF_MAP_UPDATE_ELEM", again.operation());
            value.set(LONG, 0, 0);
            assertTrue(Bpf.mapLookupElem(map, key, value, 0));
            assertEquals(0x1122334455667788L, value.get(LONG, 0));
            assertTrue(Bpf.mapGetNextKey(map, null, next));
            assertEquals(7, next.get(INT, 0));
            assertFalse(Bpf.mapGetNextKey(map, next, next));
            assertTrue(Bpf.mapDeleteElem(map, key));
            assertFalse(Bpf.mapDeleteElem(map, key));
        }
    }

    @Test
    void batchOperations() {
        int n = 5;
        try (Arena arena = Arena.ofConfined(); Fd map = hash(arena, "jbcc_batch", 16)) {
            MemorySegment keys = arena.allocate(INT, n), values = arena.allocate(LONG, n);
            for (int i = 0; i < n; i++) {
                keys.setAtIndex(INT, i, i + 100);
                values.setAtIndex(LONG, i, i * 1000L);
            }
            assertEquals(n, Bpf.mapUpdateBatch(map, keys, values, n, BpfFlags.BPF_ANY));
            MemorySegment outKeys = arena.allocate(INT, 16), outValues = arena.allocate(LONG, 16);
            MemorySegment cursor = arena.allocate(INT);
            var result = Bpf.mapLookupBatch(map, null, cursor, outKeys, outValues, 16, 0);
            assertEquals(n, result.count());
            assertTrue(result.done());
            for (int i = 0; i < n; i++)
                assertEquals((outKeys.getAtIndex(INT, i) - 100) * 1000L, outValues.getAtIndex(LONG, i));
            assertEquals(2, Bpf.mapDeleteBatch(map, keys, 2, 0));
            var deleted = Bpf.mapLookupAndDeleteBatch(map, null, cursor, outKeys, outValues, 16, 0);
            assertEquals(n - 2, deleted.count());
            MemorySegment first = arena.allocate(INT);
            assertFalse(Bpf.mapGetNextKey(map, null, first), "map should be empty");
        }
    }

    @Test
    void freezeMakesUpdatesFailWithEperm() {
        try (Arena arena = Arena.ofConfined(); Fd map = hash(arena, "jbcc_frozen", 4)) {
            MemorySegment key = arena.allocate(INT), value = arena.allocate(LONG);
            Bpf.mapFreeze(map);
            var e = assertThrows(SyscallException.class, () -> Bpf.mapUpdateElem(map, key, value, 0));
            assertEquals(Errno.EPERM, e.errno());
        }
    }

    @Test
    void progLoadTestRunAndProgInfo() {
        try (Arena arena = Arena.ofConfined(); Fd prog = TestPrograms.load(ProgramType.SOCKET_FILTER, "jbcc_ret42", 42)) {
            MemorySegment packet = arena.allocate(64);
            var run = new TestRunAttr(arena).progFd(prog).dataIn(packet).repeat(3);
            Bpf.progTestRun(run);
            assertEquals(42, run.retval());
            ProgInfo info = Bpf.progInfo(prog);
            assertEquals(ProgramType.SOCKET_FILTER.value(), info.type());
            assertEquals("jbcc_ret42", info.name());
            assertTrue(info.gplCompatible());
            assertEquals(2 * ProgLoadAttr.INSN_SIZE, info.xlatedProgLen());
            // Our program is among the kernel's, and its id opens it again.
            boolean seen = false;
            for (int id = Bpf.progGetNextId(0); id != 0; id = Bpf.progGetNextId(id)) seen |= id == info.id();
            assertTrue(seen);
            try (Fd byId = Bpf.progGetFdById(info.id())) {
                assertEquals("jbcc_ret42", Bpf.progInfo(byId).name());
            }
        }
    }

    @Test
    @HostKernelOnly("log_true_size in bpf_attr: Linux 6.4")
    void verifierRejectionLeavesTheLogInTheBuffer() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(8, 8);
            insns.set(LONG, 0, 0x95L); // exit with r0 never written
            MemorySegment log = arena.allocate(4096);
            var attr = new ProgLoadAttr(arena).progType(ProgramType.SOCKET_FILTER.value()).insns(insns)
                    .license(arena.allocateFrom("GPL")).log(log, 1);
            var e = assertThrows(SyscallException.class, () -> Bpf.progLoad(attr));
            assertEquals("BPF_PROG_LOAD", e.operation());
            assertEquals(Errno.EACCES, e.errno());
            assertTrue(log.getString(0).contains("R0 !read_ok"), log.getString(0));
            assertTrue(attr.logTrueSize() > 0);
        }
    }

    @Test
    void btfLoadReportsBadBlobInItsLog() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment blob = arena.allocate(24);
            blob.set(ValueLayout.JAVA_SHORT, 0, (short) 0xeB9F);
            blob.set(ValueLayout.JAVA_BYTE, 2, (byte) 1);
            blob.set(INT, 4, 24); // hdr_len, with type and string sections empty
            MemorySegment log = arena.allocate(4096);
            var e = assertThrows(SyscallException.class, () -> Bpf.btfLoad(new BtfLoadAttr(arena).btf(blob).log(log, 1)));
            assertEquals("BPF_BTF_LOAD", e.operation());
            assertFalse(log.getString(0).isEmpty());
        }
    }

    @Test
    void pinAndGetOnATemporaryBpffs() throws Exception {
        Path dir = Files.createTempDirectory("jbcc-bpffs");
        mount(dir);
        try (Arena arena = Arena.ofConfined(); Fd map = hash(arena, "jbcc_pinned", 4)) {
            String path = dir.resolve("m").toString();
            Bpf.objPin(map, path);
            var dup = assertThrows(dev.jbcc.errors.PinException.class, () -> Bpf.objPin(map, path));
            assertEquals(dev.jbcc.errors.PinException.Reason.EXISTS, dup.reason());
            assertEquals(Errno.EEXIST, dup.errno());
            try (Fd opened = Bpf.objGet(path, 0)) {
                assertEquals(Bpf.mapInfo(map).id(), Bpf.mapInfo(opened).id());
            }
            Files.delete(dir.resolve("m"));
            var gone = assertThrows(dev.jbcc.errors.PinException.class, () -> Bpf.objGet(path, 0));
            assertEquals(dev.jbcc.errors.PinException.Reason.NOT_FOUND, gone.reason());
            assertEquals(Errno.ENOENT, gone.errno());
            assertTrue(gone.getMessage().contains(path), gone.getMessage());
        } finally {
            run("umount", dir.toString());
            Files.delete(dir);
        }
    }

    @Test
    void fdCloseIsIdempotentAndDisownHandsOver() {
        try (Arena arena = Arena.ofConfined()) {
            Fd map = hash(arena, "jbcc_fd", 1);
            Fd copy = map.dup();
            assertNotEquals(map.raw(), copy.raw());
            map.close();
            map.close();
            assertTrue(map.isClosed());
            assertThrows(IllegalStateException.class, map::raw);
            int raw = copy.disown();
            assertTrue(copy.isClosed());
            try (Fd adopted = Fd.adopt(raw)) {
                assertTrue(Bpf.mapInfo(adopted).id() > 0);
            }
        }
    }

    @Test
    void fdZeroIsNeverHandedOut() throws Exception {
        // Closing stdin is only safe in a process of our own.
        String java = ProcessHandle.current().info().command().orElseThrow();
        var pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), FdZeroChild.class.getName());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("moved to fd "), out);
    }

    @Test
    void enableStatsCountsRuns() {
        try (Arena arena = Arena.ofConfined(); Fd stats = Bpf.enableStats(Bpf.BPF_STATS_RUN_TIME);
             Fd prog = TestPrograms.load(ProgramType.SOCKET_FILTER, "jbcc_stats", 1)) {
            long before = Bpf.progInfo(prog).runCnt();
            var run = new TestRunAttr(arena).progFd(prog).dataIn(arena.allocate(64)).repeat(5);
            Bpf.progTestRun(run);
            assertTrue(Bpf.progInfo(prog).runCnt() >= before, "run count is readable");
            assertFalse(stats.isClosed());
        }
    }

    static void mount(Path dir) throws Exception {
        run("mount", "-t", "bpf", "bpf", dir.toString());
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new AssertionError(String.join(" ", command) + " failed: " + out);
    }

    /** Closes its stdin, creates a map (which the kernel numbers 0) and checks that Fd moved it. */
    public static final class FdZeroChild {
        public static void main(String[] args) {
            try (Arena arena = Arena.ofConfined()) {
                hash(arena, "jbcc_warm", 1).close(); // load every class before fd 0 is free
                if (Libc.close(0) != 0) throw new AssertionError("close(0) failed");
                var attr = new MapCreateAttr(arena).mapType(MapType.HASH.value()).keySize(4).valueSize(8).maxEntries(1);
                long raw = Bpf.raw(BpfCommand.MAP_CREATE, attr.segment(), BpfAttr.MapCreate.LAYOUT);
                if (raw != 0) throw new AssertionError("expected the kernel to hand out fd 0, got " + raw);
                try (Fd map = Fd.adopt((int) raw)) {
                    if (map.raw() == 0) throw new AssertionError("fd 0 handed out");
                    if (Libc.fcntl(0, 1 /* F_GETFD */, 0) != -Errno.EBADF)
                        throw new AssertionError("fd 0 should have been closed after the move");
                    if (Bpf.mapInfo(map).maxEntries() != 1) throw new AssertionError("moved fd is not the map");
                    System.out.println("moved to fd " + map.raw());
                }
            }
        }
    }
}
