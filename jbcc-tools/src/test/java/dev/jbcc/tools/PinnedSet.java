package dev.jbcc.tools;

import dev.jbcc.BpfMap;
import dev.jbcc.spec.MapSpec;
import dev.jbcc.spec.MapType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** A hash map of u64 keys pinned on the bpf file system, as bcc's --cgroupmap/--mntnsmap take it; unpinned on close. */
public final class PinnedSet implements AutoCloseable {
    private final BpfMap map;
    private final Path path;

    /** A pinned set of {@code keys}, each with a value of {@code valueSize} bytes (zero). */
    public PinnedSet(int valueSize, long... keys) {
        map = BpfMap.create(MapSpec.of("jbcc_test_set", MapType.HASH, 8, valueSize, 16));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(8), value = arena.allocate(valueSize);
            for (long k : keys) {
                key.set(ValueLayout.JAVA_LONG, 0, k);
                map.update(key, value);
            }
        }
        path = Path.of("/sys/fs/bpf/jbcc-test-" + UUID.randomUUID());
        map.pin(path);
    }

    public Path path() {
        return path;
    }

    /** The cgroup (v2) id of this process: the inode number of its cgroup's directory. */
    public static long ownCgroup() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.startsWith("0::")).findFirst()
                .orElseThrow(() -> new IOException("no cgroup v2 line in /proc/self/cgroup"));
        return (Long) Files.getAttribute(Path.of("/sys/fs/cgroup" + line.substring(3)), "unix:ino");
    }

    /** The id (inode number) of this process's mount namespace. */
    public static long ownMountNamespace() throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString(); // mnt:[4026531841]
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }

    @Override
    public void close() {
        map.unpin();
        map.close();
    }
}
