package dev.jbcc.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A bpf file system mounted on a fresh temporary directory, unmounted and removed on close. */
public final class TempBpfFs implements AutoCloseable {
    private final Path dir;

    public TempBpfFs() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("jbcc-bpffs");
        run("mount", "-t", "bpf", "bpf", dir.toString());
    }

    public Path path() {
        return dir;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("umount", dir.toString());
        Files.delete(dir);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed: " + out);
    }
}
