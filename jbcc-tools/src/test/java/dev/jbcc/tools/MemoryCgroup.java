package dev.jbcc.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A memory cgroup of the test's own (cgroup v2, or v1's memory controller), with a limit: the
 * memory tools' tests run commands in it to cause reclaim and OOM kills without pressing on the
 * machine's memory.
 */
public final class MemoryCgroup implements AutoCloseable {
    private final Path dir;

    private MemoryCgroup(Path dir) {
        this.dir = dir;
    }

    /** A new cgroup whose memory is limited to {@code limitBytes} (and no swap). */
    public static MemoryCgroup create(long limitBytes) throws IOException {
        String name = "jbcc-" + UUID.randomUUID();
        Path v2 = Path.of("/sys/fs/cgroup");
        if (Files.exists(v2.resolve("cgroup.controllers")) && Files.readString(v2.resolve("cgroup.controllers")).contains("memory")) {
            // the VM's fresh cgroup2 mount has the controller but does not hand it to children yet
            if (!Files.readString(v2.resolve("cgroup.subtree_control")).contains("memory")) Files.writeString(v2.resolve("cgroup.subtree_control"), "+memory");
            MemoryCgroup cg = new MemoryCgroup(Files.createDirectory(v2.resolve(name)));
            Files.writeString(cg.dir.resolve("memory.max"), String.valueOf(limitBytes));
            if (Files.exists(cg.dir.resolve("memory.swap.max"))) Files.writeString(cg.dir.resolve("memory.swap.max"), "0");
            return cg;
        }
        Path v1 = Path.of("/sys/fs/cgroup/memory");
        if (!Files.exists(v1.resolve("memory.limit_in_bytes"))) throw new IllegalStateException("no memory cgroup controller (v2 or v1) is mounted");
        MemoryCgroup cg = new MemoryCgroup(Files.createDirectory(v1.resolve(name)));
        Files.writeString(cg.dir.resolve("memory.limit_in_bytes"), String.valueOf(limitBytes));
        return cg;
    }

    /** Starts {@code command} inside the cgroup. */
    public Process start(String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", dir.resolve("cgroup.procs").toString()));
        argv.addAll(List.of(command));
        return new ProcessBuilder(argv).redirectErrorStream(true).start();
    }

    /** Kills what is left in it and removes it. */
    @Override
    public void close() throws IOException, InterruptedException {
        for (int i = 0; i < 50; i++) {
            for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                if (!pid.isBlank()) ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
            try {
                Files.delete(dir);
                return;
            } catch (IOException busy) {
                Thread.sleep(100);
            }
        }
        Files.delete(dir);
    }
}
