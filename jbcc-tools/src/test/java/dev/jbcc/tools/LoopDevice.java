package dev.jbcc.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A loop device of the test's own over a sparse temp file, optionally with an ext4, XFS or btrfs
 * file system mounted in a temp directory. {@link #close} unmounts, detaches and deletes everything. The
 * device reads its file with direct I/O where the file's file system allows it (tmpfs does not
 * before 6.6: the VM's /tmp); either way the test's O_DIRECT I/O on the device is one block
 * request per call on it, which is what the block tools see.
 */
public final class LoopDevice implements AutoCloseable {
    private final Path backing;
    private final String device;
    private Path mount;

    private LoopDevice(Path backing, String device) {
        this.backing = backing;
        this.device = device;
    }

    /** A new loop device of {@code megabytes} MiB. */
    public static LoopDevice create(int megabytes) throws IOException, InterruptedException {
        Path backing = Files.createTempFile("jbcc-loop", ".img");
        try {
            Runs.sh("truncate", "-s", megabytes + "M", backing.toString());
            String device;
            try {
                device = Runs.sh("losetup", "--find", "--show", "--direct-io=on", backing.toString()).trim();
            } catch (AssertionError noDirectIo) {
                device = Runs.sh("losetup", "--find", "--show", backing.toString()).trim();
            }
            return new LoopDevice(backing, device);
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            Files.deleteIfExists(backing);
            throw e;
        }
    }

    /** {@code /dev/loopN}. */
    public String device() {
        return device;
    }

    /** {@code loopN}, as tools take a disk name. */
    public String name() {
        return device.substring("/dev/".length());
    }

    /** Makes an ext4 file system on the device and mounts it in a temp directory; the mount point. */
    public Path mountExt4() throws IOException, InterruptedException {
        return mount("ext4", "-q", "-F");
    }

    /** As {@link #mountExt4} with XFS: the device must have 300 MiB or more (sparse: mkfs writes some 65). */
    public Path mountXfs() throws IOException, InterruptedException {
        return mount("xfs", "-q", "-f");
    }

    /** As {@link #mountExt4} with btrfs: the device must have some 120 MiB or more. */
    public Path mountBtrfs() throws IOException, InterruptedException {
        return mount("btrfs", "-q", "-f");
    }

    private Path mount(String type, String... mkfsOptions) throws IOException, InterruptedException {
        List<String> mkfs = new ArrayList<>(List.of("mkfs." + type));
        mkfs.addAll(List.of(mkfsOptions));
        mkfs.add(device);
        Runs.sh(mkfs.toArray(String[]::new));
        Path dir = Files.createTempDirectory("jbcc-" + type);
        Runs.sh("mount", "-t", type, device, dir.toString());
        mount = dir;
        return dir;
    }

    /** Reads {@code count} blocks of {@code blockSize} bytes with O_DIRECT from block {@code skip} on; dd's PID. */
    public long directReads(int blockSize, int count, long skip) throws IOException, InterruptedException {
        return dd("if=" + device, "of=/dev/null", "bs=" + blockSize, "count=" + count, "skip=" + skip, "iflag=direct");
    }

    /** Writes {@code count} blocks of {@code blockSize} zero bytes with O_DIRECT from block {@code seek} on; dd's PID. */
    public long directWrites(int blockSize, int count, long seek) throws IOException, InterruptedException {
        return dd("if=/dev/zero", "of=" + device, "bs=" + blockSize, "count=" + count, "seek=" + seek, "oflag=direct", "conv=notrunc");
    }

    private static long dd(String... operands) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("dd", "status=none"));
        command.addAll(List.of(operands));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), command + ": " + out);
        return p.pid();
    }

    /**
     * A new loop device for each test of a class, removed after it:
     * {@code @RegisterExtension final LoopDevice.PerTest loop = new LoopDevice.PerTest(8);}.
     */
    public static final class PerTest implements BeforeEachCallback, AfterEachCallback {
        private final int megabytes;
        private LoopDevice device;

        public PerTest(int megabytes) {
            this.megabytes = megabytes;
        }

        /** This test's loop device. */
        public LoopDevice get() {
            return device;
        }

        @Override
        public void beforeEach(ExtensionContext context) throws Exception {
            device = create(megabytes);
        }

        @Override
        public void afterEach(ExtensionContext context) throws Exception {
            if (device != null) device.close();
            device = null;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (mount != null) {
                Runs.sh("umount", mount.toString());
                Files.deleteIfExists(mount);
            }
        } finally {
            try {
                Runs.sh("losetup", "-d", device);
            } finally {
                Files.deleteIfExists(backing);
            }
        }
    }
}
