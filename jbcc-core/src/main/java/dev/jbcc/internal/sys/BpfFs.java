package dev.jbcc.internal.sys;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.FileAccessException;
import dev.jbcc.errors.PinException;
import dev.jbcc.errors.PinException.Reason;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Pins on a bpf file system: why pinning at a path, or opening what is pinned there, failed,
 * said in one line with the fix (the kernel says only EPERM for a path outside bpffs, and EACCES
 * for both a foreign file and a refused permission), and removing a pin.
 */
public final class BpfFs {
    /** Where a bpf file system is mounted by convention. */
    public static final Path DEFAULT = Path.of("/sys/fs/bpf");

    private BpfFs() {}

    /** BPF_OBJ_PIN at {@code path} failed with {@code errno}. */
    static PinException pinFailed(String path, int errno) {
        Path dir = Path.of(path).toAbsolutePath().getParent();
        String head = "cannot pin at " + path + ": ";
        String tail = " (BPF_OBJ_PIN: " + Errno.describe(errno) + ")";
        return switch (errno) {
            case Errno.EEXIST -> new PinException(Reason.EXISTS, path, errno,
                    head + "it exists already; unpin it (rm " + path + ") or pin at another path" + tail);
            case Errno.ENOENT -> new PinException(Reason.NOT_FOUND, path, errno,
                    head + "directory " + dir + " does not exist; create it on a bpf file system (mkdir -p " + dir + ")" + tail);
            case Errno.EPERM, Errno.EACCES -> refused(head, path, dir, errno, tail, "create files in " + dir);
            default -> new PinException(Reason.OTHER, path, errno, head.substring(0, head.length() - 2) + tail);
        };
    }

    /** BPF_OBJ_GET of {@code path} failed with {@code errno}. */
    static PinException getFailed(String path, int errno) {
        Path dir = Path.of(path).toAbsolutePath().getParent();
        String head = "cannot open the pin " + path + ": ";
        String tail = " (BPF_OBJ_GET: " + Errno.describe(errno) + ")";
        return switch (errno) {
            case Errno.ENOENT -> new PinException(Reason.NOT_FOUND, path, errno, head + "nothing is pinned there"
                    + (Files.isDirectory(dir) ? "" : ", and directory " + dir + " does not exist")
                    + "; check the path, or pin the object first" + tail);
            case Errno.EPERM, Errno.EACCES, Errno.EINVAL -> refused(head, path, dir, errno, tail, "open " + path);
            default -> new PinException(Reason.OTHER, path, errno, head.substring(0, head.length() - 2) + tail);
        };
    }

    /** A refusal: the path is off bpffs (none mounted, or elsewhere), or this process lacks the permission. */
    private static PinException refused(String head, String path, Path dir, int errno, String tail, String action) {
        String fs = fileSystem(dir);
        if (fs != null && !fs.equals("bpf")) {
            if ("bpf".equals(fileSystem(DEFAULT))) {
                return new PinException(Reason.NOT_ON_BPFFS, path, errno, head + dir + " is on " + fs
                        + ", not on a bpf file system; use a path under " + DEFAULT + tail);
            }
            return new PinException(Reason.NO_BPFFS, path, errno, head + dir + " is on " + fs
                    + ", and no bpf file system is mounted at " + DEFAULT + "; mount one (mount -t bpf bpf " + DEFAULT
                    + ", as root) and use a path under it" + tail);
        }
        return new PinException(Reason.PERMISSION, path, errno, head + "this process may not " + action
                + " (" + modeAndOwner(dir) + "); run as root" + tail);
    }

    /** The type of the file system {@code dir} is on ("bpf", "tmpfs", ...), or null if it cannot be told. */
    private static String fileSystem(Path dir) {
        try {
            return Files.getFileStore(dir).type();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String modeAndOwner(Path dir) {
        try {
            int mode = (Integer) Files.getAttribute(dir, "unix:mode");
            return dir + " has mode " + String.format("%04o", mode & 07777) + ", owner uid " + Files.getAttribute(dir, "unix:uid");
        } catch (IOException | RuntimeException e) {
            return "no access to " + dir;
        }
    }

    /**
     * Removes the pin at {@code path}, if there is one: what a map's, program's or link's unpin()
     * does.
     *
     * @throws FileAccessException if it cannot be removed
     */
    public static void unpin(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw FileAccessException.of("unpin", path, e, "remove it by hand (rm " + path + ") as root");
        }
    }
}
